"""Moderation as tracked states: each CCR or thematic audit from submission to close, worked out from the store.

A return moves through four states, each read from the answers of its latest stored version (the
moderator's return is the same form resubmitted with its moderation section filled in, which the
store keeps as a replacement of the first; so nothing is stored twice and no table can drift from
the forms):

* **submitted** — no moderated grade yet: it awaits moderation;
* **moderated** — a moderated grade (role ``moderated_grade``): *agreed* when it is the reviewer's
  overall grade, *changed* when not (the reason is the ``moderation_reason`` answer; a change
  without one is flagged);
* **feedback given** — the date written and verbal feedback was given to the practitioner (role
  ``feedback_given_on``, framework §13 10.3);
* **closed** — the follow-through §13 asks for is complete: feedback given, the review placed on the
  child's file (``placed_on_file_on``), its findings reviewed in supervision (``supervision_on``) and
  the follow-up decided (``follow_up``: a dip sample, an audit, or none needed). There is no separate
  'close' button: a return is closed when its record shows the follow-through done. A form that records
  no follow-through (the thematic audit) is closed once moderated.

A thematic audit grades each child and is moderated child by child (``moderated_grade`` in its rows):
it is moderated once every graded row has a moderated grade, and *changed* if any grade was.

A state is dated by the arrival of the first version that reached it; a return's age in its state
is counted from then to *today*. Versions are linked as the store links them: the same issue id, else
the same form, quarter, author and subject (resolution.match_key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .resolution import match_key
from .spec import GRADES
from .store import StoredSubmission, submission_ref

SUBMITTED, MODERATED, FEEDBACK_GIVEN, CLOSED = "submitted", "moderated", "feedback given", "closed"
STATES = (SUBMITTED, MODERATED, FEEDBACK_GIVEN, CLOSED)
CLOSING_ROLES = ("feedback_given_on", "placed_on_file_on", "supervision_on", "follow_up")


def state_of(answer: Callable[[str], object], rows: Sequence[dict[str, object]] = (), follow_through: bool = True) -> str:
    """The moderation state of a return whose answers (by role) *answer* gives.

    *rows* are its repeat rows that carry their own moderated grade (a thematic audit grades and
    moderates each child): it is moderated once every graded row has one. A form that records no
    follow-through (*follow_through* False: no feedback_given_on role) is closed once moderated.
    """
    if not _moderated(answer, rows):
        return SUBMITTED
    if not follow_through:
        return CLOSED
    if not answer("feedback_given_on"):
        return MODERATED
    if all(answer(role) for role in CLOSING_ROLES):
        return CLOSED
    return FEEDBACK_GIVEN


def _moderated(answer: Callable[[str], object], rows: Sequence[dict[str, object]]) -> bool:
    if answer("moderated_grade") in GRADES:
        return True
    graded = [row for row in rows if row.get("overall_grade") in GRADES]
    return bool(graded) and all(row.get("moderated_grade") in GRADES for row in graded)


def outcome_of(answer: Callable[[str], object], rows: Sequence[dict[str, object]] = ()) -> str | None:
    """'agreed' or 'changed' (any grade changed) once the reviewer's grades have moderated ones; else None."""
    pairs = [(answer("overall_grade"), answer("moderated_grade"))]
    pairs += [(row.get("overall_grade"), row.get("moderated_grade")) for row in rows]
    pairs = [(grade, moderated) for grade, moderated in pairs if grade in GRADES and moderated in GRADES]
    if not pairs:
        return None
    return "changed" if any(grade != moderated for grade, moderated in pairs) else "agreed"


def reason_missing(answer: Callable[[str], object], rows: Sequence[dict[str, object]] = ()) -> bool:
    """Whether a changed grade lacks its reason (role moderation_reason, on the form or on the changed row)."""
    if outcome_of(answer) == "changed" and not answer("moderation_reason"):
        return True
    return any(outcome_of(row.get, ()) == "changed" and not row.get("moderation_reason") for row in rows)


@dataclass
class Tracked:
    """One return's place in moderation: its state, since when, and for how long."""

    ref: str  # the latest version's reference ('S-0042'); a child is never named
    form: str
    title: str
    quarter: str
    reviewer: str
    state: str
    outcome: str | None  # agreed | changed | None
    reason_missing: bool  # changed, the form asks for a reason, and none was given
    submitted_on: str  # ISO date the first version arrived
    state_since: str  # ISO date the first version in this state arrived
    days_in_state: int
    to_do: list[str] = field(default_factory=list)  # the closing answers still missing, by label


@dataclass
class ModerationQueue:
    """Every moderated kind of return to date, by state: what `qa status` shows and prints as JSON."""

    as_of: str
    counts: dict[str, int]
    items: list[Tracked]  # oldest in its state first

    def waiting(self, state: str) -> list[Tracked]:
        """The returns in *state*, oldest first."""
        return [item for item in self.items if item.state == state]

    def as_dict(self) -> dict:
        """The queue as JSON-able data."""
        return {"as_of": self.as_of, "counts": self.counts, "items": [vars(item) for item in self.items]}


def moderation_queue(current: Iterable[StoredSubmission], everything: Iterable[StoredSubmission], today: dt.date,
                     clean: Callable[[object], str] = str) -> ModerationQueue:
    """Where each current return of a moderated form stands (forms with a moderated_grade role: CCRs, thematic audits)."""
    history: dict[tuple, list[StoredSubmission]] = {}
    for submission in everything:
        if _moderated_form(submission):
            history.setdefault(_key(submission), []).append(submission)
    items = []
    for submission in current:
        if not _moderated_form(submission):
            continue
        versions = sorted(history.get(_key(submission), [submission]), key=lambda s: (s.received_at, s.id))
        versions = [v for v in versions if v.received_at <= submission.received_at] or [submission]
        state = _state(submission)
        reached = next(v for v in versions if STATES.index(_state(v)) >= STATES.index(state))
        since = reached.received_at[:10]
        rows = _moderated_rows(submission)
        outcome = outcome_of(submission.answer, rows)
        spec = submission.spec
        to_do = []
        if state == FEEDBACK_GIVEN and spec is not None:
            to_do = [f.label for role in CLOSING_ROLES if not submission.answer(role) and (f := spec.role_field(role))]
        items.append(Tracked(
            ref=submission_ref(submission.id),
            form=submission.form,
            title=spec.display_title if spec is not None else submission.form,
            quarter=submission.quarter or "",
            reviewer=clean(submission.answer("reviewer") or submission.answer("auditor") or submission.author or ""),
            state=state,
            outcome=outcome,
            reason_missing=_asks_reason(spec) and reason_missing(submission.answer, rows),
            submitted_on=versions[0].received_at[:10],
            state_since=since,
            days_in_state=max(0, (today - dt.date.fromisoformat(since)).days),
            to_do=to_do,
        ))
    items.sort(key=lambda item: (STATES.index(item.state), item.state_since, item.ref))
    counts = {state: sum(1 for item in items if item.state == state) for state in STATES}
    return ModerationQueue(today.isoformat(), counts, items)


def _moderated_form(submission: StoredSubmission) -> bool:
    spec = submission.spec
    return spec is not None and any(item.role == "moderated_grade" for item, _group in spec.all_fields())


def _moderated_rows(submission: StoredSubmission) -> list[dict[str, object]]:
    """The repeat rows that carry their own moderated grade (by role)."""
    return [row for group, rows in submission.all_rows() if group.role_field("moderated_grade") for row in rows]


def _state(submission: StoredSubmission) -> str:
    spec = submission.spec
    follow_through = spec is not None and spec.role_field("feedback_given_on") is not None
    return state_of(submission.answer, _moderated_rows(submission), follow_through)


def _asks_reason(spec) -> bool:
    return spec is not None and any(item.role == "moderation_reason" for item, _group in spec.all_fields())


def _key(submission: StoredSubmission) -> tuple:
    key = match_key(submission)
    if key["issue_id"]:
        return ("issue", key["issue_id"])
    return ("identity", key["form"], key["variant"], key["quarter"], key["author"], tuple(key["subject"]))


__all__ = ["CLOSED", "FEEDBACK_GIVEN", "MODERATED", "ModerationQueue", "STATES", "SUBMITTED", "Tracked", "moderation_queue",
           "outcome_of", "reason_missing", "state_of"]
