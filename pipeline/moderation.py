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
  'close' button: a return is closed when its record shows the follow-through done.

A state is dated by the arrival of the first version that reached it; a return's age in its state
is counted from then to *today*. Versions are linked as the store links them: the same issue id, else
the same form, quarter, author and subject (resolution.match_key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .resolution import match_key
from .spec import GRADES
from .store import StoredSubmission, submission_ref

SUBMITTED, MODERATED, FEEDBACK_GIVEN, CLOSED = "submitted", "moderated", "feedback given", "closed"
STATES = (SUBMITTED, MODERATED, FEEDBACK_GIVEN, CLOSED)
CLOSING_ROLES = ("feedback_given_on", "placed_on_file_on", "supervision_on", "follow_up")


def state_of(answer: Callable[[str], object]) -> str:
    """The moderation state of a return whose answers (by role) *answer* gives."""
    if answer("moderated_grade") not in GRADES:
        return SUBMITTED
    if not answer("feedback_given_on"):
        return MODERATED
    if all(answer(role) for role in CLOSING_ROLES):
        return CLOSED
    return FEEDBACK_GIVEN


def outcome_of(answer: Callable[[str], object]) -> str | None:
    """'agreed' or 'changed' for a moderated return with the reviewer's overall grade on the form; else None."""
    grade, moderated = answer("overall_grade"), answer("moderated_grade")
    if moderated not in GRADES or grade not in GRADES:
        return None
    return "agreed" if grade == moderated else "changed"


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
        state = state_of(submission.answer)
        reached = next(v for v in versions if STATES.index(state_of(v.answer)) >= STATES.index(state))
        since = reached.received_at[:10]
        outcome = outcome_of(submission.answer)
        spec = submission.spec
        asks_reason = spec is not None and spec.role_field("moderation_reason") is not None
        to_do = []
        if state == FEEDBACK_GIVEN and spec is not None:
            to_do = [f.label for role in CLOSING_ROLES if not submission.answer(role) and (f := spec.role_field(role))]
        items.append(Tracked(
            ref=submission_ref(submission.id),
            form=submission.form,
            title=spec.display_title if spec is not None else submission.form,
            quarter=submission.quarter or "",
            reviewer=clean(submission.answer("reviewer") or submission.author or ""),
            state=state,
            outcome=outcome,
            reason_missing=outcome == "changed" and asks_reason and not submission.answer("moderation_reason"),
            submitted_on=versions[0].received_at[:10],
            state_since=since,
            days_in_state=max(0, (today - dt.date.fromisoformat(since)).days),
            to_do=to_do,
        ))
    items.sort(key=lambda item: (STATES.index(item.state), item.state_since, item.ref))
    counts = {state: sum(1 for item in items if item.state == state) for state in STATES}
    return ModerationQueue(today.isoformat(), counts, items)


def _moderated_form(submission: StoredSubmission) -> bool:
    return submission.spec is not None and submission.spec.role_field("moderated_grade") is not None


def _key(submission: StoredSubmission) -> tuple:
    key = match_key(submission)
    if key["issue_id"]:
        return ("issue", key["issue_id"])
    return ("identity", key["form"], key["variant"], key["quarter"], key["author"], tuple(key["subject"]))


__all__ = ["CLOSED", "FEEDBACK_GIVEN", "MODERATED", "ModerationQueue", "STATES", "SUBMITTED", "Tracked", "moderation_queue",
           "outcome_of", "state_of"]
