"""Moderation as tracked states: submitted → moderated → feedback given → closed, through `qa ingest` and `qa status`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from answers import full_answers
from filling import fill
from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.moderation import CLOSED, FEEDBACK_GIVEN, MODERATED, SUBMITTED, outcome_of, reason_missing, state_of
from pipeline.store import Store


def _ccr(catalogue, **changes) -> bytes:
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec, rows=1)
    values.update(reviewer="Helen Okafor", completed_by="Helen Okafor", child_id="C04521", overall_grade="Good",
                  moderator=None, moderated_grade=None, moderation_gone_well=None, moderation_improvement=None,
                  moderation_summary=None, moderation_reason=None, moderator_edi=None, feedback_given_on=None,
                  placed_on_file_on=None, supervision_on=None, follow_up=None)
    values.update(changes)
    return fill(spec, {k: v for k, v in values.items() if v is not None}, groups)


def _run(workspace, *args: str, today: str | None = None):
    env = {"QA_TODAY": today} if today else {}
    result = CliRunner(env=env).invoke(cli, ["--workspace", str(workspace.root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _received(workspace) -> dt.date:
    with Store(workspace.store_path) as store:
        return dt.date.fromisoformat(min(s.received_at for s in store.submissions(include_replaced=True))[:10])


def test_a_review_awaits_moderation_then_the_moderators_return_moves_it_on(workspace, catalogue):
    write_examples(workspace)
    (workspace.inbox / "CCR C04521.docx").write_bytes(_ccr(catalogue))
    _run(workspace, "ingest", "--settle", "0")
    submitted = _received(workspace)
    later = (submitted + dt.timedelta(days=12)).isoformat()
    status = _run(workspace, "status", "--quarter", "2022-23-Q3", today=later).stdout
    lines = status.splitlines()
    start = lines.index(f"Moderation of reviews and audits to date (as of {submitted + dt.timedelta(days=12):%d/%m/%Y}): "
                        "1 awaiting moderation, 0 awaiting feedback, 0 awaiting follow-through, 0 closed")
    assert lines[start + 1:start + 3] == [
        "  Awaiting moderation (1)",
        f"    S-0001  Collaborative case review 2022-23-Q3, reviewer Helen Okafor: submitted {submitted:%d/%m/%Y}, 12 days ago",
    ]
    # The moderator fills in the moderation section of the same form and drops it in: it replaces the first.
    (workspace.inbox / "CCR C04521 moderated.docx").write_bytes(
        _ccr(catalogue, moderator="Amira Shah", moderated_grade="Requires improvement",
             moderation_reason="Plans lacked timescales."))
    assert _run(workspace, "ingest", "--settle", "0").stdout.startswith("replaced  CCR C04521 moderated.docx (ccr)\n")
    with Store(workspace.store_path) as store:
        moderated_on = dt.date.fromisoformat(store.submission(2).received_at[:10])
    data = json.loads(_run(workspace, "status", "--quarter", "2022-23-Q3", "--json", today=later).stdout)
    assert data["moderation"]["counts"] == {"submitted": 0, "moderated": 1, "feedback given": 0, "closed": 0}
    [item] = data["moderation"]["items"]
    assert item == {
        "ref": "S-0002", "form": "ccr", "title": "Collaborative case review", "quarter": "2022-23-Q3",
        "reviewer": "Helen Okafor", "state": "moderated", "outcome": "changed", "reason_missing": False,
        "submitted_on": submitted.isoformat(), "state_since": moderated_on.isoformat(),
        "days_in_state": (submitted + dt.timedelta(days=12) - moderated_on).days, "to_do": [],
    }
    lines = _run(workspace, "status", "--quarter", "2022-23-Q3", today=later).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Moderation of reviews and audits to date"))
    assert lines[start].endswith("0 awaiting moderation, 1 awaiting feedback, 0 awaiting follow-through, 0 closed")
    days = (submitted + dt.timedelta(days=12) - moderated_on).days
    assert lines[start + 1:start + 3] == [
        "  Moderated, feedback to the practitioner not yet recorded (1)",
        f"    S-0002  Collaborative case review 2022-23-Q3, reviewer Helen Okafor: moderated {moderated_on:%d/%m/%Y} "
        f"(changed), {days} days ago",
    ]


def test_nothing_to_moderate_says_so_in_counts(workspace):
    write_examples(workspace)
    status = _run(workspace, "status", "--quarter", "2022-23-Q3", today="2022-12-01").stdout
    assert status.splitlines()[-1] == ("Moderation of reviews and audits to date (as of 01/12/2022): 0 awaiting "
                                       "moderation, 0 awaiting feedback, 0 awaiting follow-through, 0 closed")


@pytest.mark.parametrize(("answers", "state"), [
    ({"overall_grade": "Good"}, SUBMITTED),
    ({"overall_grade": "Good", "moderated_grade": "Good"}, MODERATED),
    ({"moderated_grade": "Good", "feedback_given_on": "2022-11-20"}, FEEDBACK_GIVEN),
    ({"moderated_grade": "Good", "feedback_given_on": "2022-11-20", "placed_on_file_on": "2022-11-21",
      "supervision_on": "2022-12-02"}, FEEDBACK_GIVEN),  # the follow-up not yet decided
    ({"moderated_grade": "Good", "feedback_given_on": "2022-11-20", "placed_on_file_on": "2022-11-21",
      "supervision_on": "2022-12-02", "follow_up": "None needed"}, CLOSED),
])
def test_state_follows_the_framework_follow_through(answers, state):
    assert state_of(answers.get) == state


def test_outcome_agreed_or_changed_and_a_missing_reason():
    # A version-1 CCR (before the form asked why) read today: its change is flagged as having no reason.
    assert reason_missing({"overall_grade": "Good", "moderated_grade": "Inadequate"}.get) is True
    assert reason_missing({"overall_grade": "Good", "moderated_grade": "Inadequate", "moderation_reason": "x"}.get) is False
    assert outcome_of({"overall_grade": "Good", "moderated_grade": "Good"}.get) == "agreed"
    assert outcome_of({"overall_grade": "Good", "moderated_grade": "Inadequate"}.get) == "changed"
    assert outcome_of({"overall_grade": "Good"}.get) is None


def _status_lines(workspace, today: str) -> list[str]:
    lines = _run(workspace, "status", "--quarter", "2022-23-Q3", today=today).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Moderation of reviews and audits to date"))
    return lines[start:]


def test_feedback_then_the_follow_through_closes_the_review(workspace, catalogue):
    write_examples(workspace)
    moderated = dict(moderator="Amira Shah", moderated_grade="Good", feedback_given_on=dt.date(2022, 11, 20))
    (workspace.inbox / "CCR.docx").write_bytes(_ccr(catalogue, **moderated))
    _run(workspace, "ingest", "--settle", "0")
    received = _received(workspace)
    today = received.isoformat()
    assert _status_lines(workspace, today) == [
        f"Moderation of reviews and audits to date (as of {received:%d/%m/%Y}): 0 awaiting moderation, 0 awaiting "
        "feedback, 1 awaiting follow-through, 0 closed",
        "  Feedback given, follow-through not yet complete (1)",
        f"    S-0001  Collaborative case review 2022-23-Q3, reviewer Helen Okafor: feedback given {received:%d/%m/%Y} "
        "(agreed), today; still to record: Date placed on the child's file, Date the findings were reviewed in "
        "supervision, Follow-up quality assurance",
    ]
    (workspace.inbox / "CCR followed through.docx").write_bytes(_ccr(
        catalogue, **moderated, placed_on_file_on=dt.date(2022, 11, 21), supervision_on=dt.date(2022, 12, 2),
        follow_up="None needed"))
    assert _run(workspace, "ingest", "--settle", "0").stdout.startswith("replaced  CCR followed through.docx (ccr)\n")
    assert _status_lines(workspace, today) == [
        f"Moderation of reviews and audits to date (as of {received:%d/%m/%Y}): 0 awaiting moderation, 0 awaiting "
        "feedback, 0 awaiting follow-through, 1 closed",
    ]


def test_thematic_audit_is_moderated_child_by_child():
    graded = [{"overall_grade": "Good", "moderated_grade": "Good"}, {"overall_grade": "Good"}]
    assert state_of({}.get, graded, follow_through=False) == SUBMITTED  # one child not yet moderated
    graded[1]["moderated_grade"] = "Requires improvement"
    assert state_of({}.get, graded, follow_through=False) == CLOSED  # the audit form records no follow-through
    assert outcome_of({}.get, graded) == "changed"
    assert reason_missing({}.get, graded) is True
    graded[1]["moderation_reason"] = "Plan had no timescales."
    assert reason_missing({}.get, graded) is False
