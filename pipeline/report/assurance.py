"""Assurance on children whose practice was inadequate, and what became of children reviewed again.

For each review this quarter whose grade of record is Inadequate: the actions raised on it (from
the action ledger, with owner and status), whether the child was judged safe at the time (role
``child_safe``) and when the child will be reviewed again (role ``rereview_date``). Then every
child reviewed this quarter who had been reviewed before, matched by child ID: the grade history
from every stored review, and whether the grade improved, stayed the same or got worse since the
last review. A question an older version of the form did not ask shows as "Not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..spec import GRADES
from ..store import StoredSubmission, submission_ref
from .actions import Action
from .practice import RANK, grade_of_record

NOT_RECORDED = "Not recorded"
CONCERN_GRADES = GRADES[2:]  # Requires improvement, Inadequate


@dataclass
class AssuredAction:
    """An action raised on an inadequate review, as the ledger holds it."""

    ref: str
    action: str
    owner: str
    due: str
    status: str


@dataclass
class InadequateReview:
    """One review graded Inadequate this quarter and the assurance around it."""

    ref: str
    child_id: str
    team: str
    level_of_need: str
    child_safe: str  # the form's answer (Yes / No), or 'Not recorded'
    rereview_date: str  # ISO date, or ''
    rereview: str  # 'Due 2023-02-01', 'Overdue since 2022-12-01', 'Not set'
    rereview_state: str  # due | overdue | not set
    actions: list[AssuredAction] = field(default_factory=list)
    owners: str = ""


@dataclass
class GradeAt:
    """One review in a child's grade history."""

    quarter: str
    ref: str
    grade: str


@dataclass
class ReReview:
    """A child reviewed this quarter who had been reviewed before."""

    child_id: str
    team: str
    history: list[GradeAt]
    previous_grade: str
    grade: str
    outcome: str  # improved | same | worse
    previously_of_concern: bool  # the previous grade was Requires improvement or Inadequate


@dataclass
class Assurance:
    """Inadequate reviews with their assurance, and re-review outcomes matched by child ID."""

    inadequate: list[InadequateReview]
    not_safe: int
    safe_not_recorded: int
    without_action: int
    without_rereview: int
    rereviewed: list[ReReview]
    improved: int  # of the children previously graded RI or Inadequate
    same: int
    worse: int
    of_concern: int
    overdue_rereviews: list[InadequateReview]  # earlier inadequate reviews past their re-review date, not yet reviewed again
    reading: str = ""


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10] if value else ""


def _order(review: StoredSubmission) -> tuple:
    return (review.quarter or "", _iso(review.answer("completed_on")), review.id)


def assurance_section(
    current: list[StoredSubmission],
    to_date: list[StoredSubmission],
    ledger: list[Action],
    quarter: str,
    as_of: dt.date,
    clean: Callable[[object], str],
) -> Assurance:
    """Assurance for *current* CCRs, with grade histories from every CCR to date (*to_date*)."""
    actions_by_file: dict[str, list[Action]] = {}
    for action in ledger:
        actions_by_file.setdefault(action.file, []).append(action)
    inadequate = sorted(
        (_inadequate(review, actions_by_file.get(submission_ref(review.id), []), as_of, clean)
         for review in current if grade_of_record(review) == GRADES[-1]),
        key=lambda row: (row.child_safe != "No", row.child_id),  # children judged not safe first
    )
    histories: dict[str, list[StoredSubmission]] = {}
    for review in sorted(to_date, key=_order):
        if review.child_id and grade_of_record(review) in RANK:
            histories.setdefault(str(review.child_id).strip().upper(), []).append(review)
    rereviewed = []
    reviewed_now: set[str] = set()
    for key, reviews in histories.items():
        latest = reviews[-1]
        if latest.quarter != quarter:
            continue
        reviewed_now.add(key)
        if len(reviews) < 2:
            continue
        rereviewed.append(_rereview(reviews, clean))
    overdue = [
        _inadequate(review, actions_by_file.get(submission_ref(review.id), []), as_of, clean)
        for key, reviews in histories.items()
        if key not in reviewed_now and (review := reviews[-1]).quarter != quarter
        and grade_of_record(review) == GRADES[-1] and _iso(review.answer("rereview_date"))
        and _iso(review.answer("rereview_date")) <= as_of.isoformat()
    ]
    concern = [r for r in rereviewed if r.previously_of_concern]
    result = Assurance(
        inadequate=inadequate,
        not_safe=sum(1 for r in inadequate if r.child_safe == "No"),
        safe_not_recorded=sum(1 for r in inadequate if r.child_safe == NOT_RECORDED),
        without_action=sum(1 for r in inadequate if not r.actions),
        without_rereview=sum(1 for r in inadequate if not r.rereview_date),
        rereviewed=sorted(rereviewed, key=lambda r: r.child_id),
        improved=sum(1 for r in concern if r.outcome == "improved"),
        same=sum(1 for r in concern if r.outcome == "same"),
        worse=sum(1 for r in concern if r.outcome == "worse"),
        of_concern=len(concern),
        overdue_rereviews=overdue,
    )
    result.reading = _reading(result)
    return result


def _inadequate(review: StoredSubmission, actions: list[Action], as_of: dt.date, clean: Callable[[object], str]) -> InadequateReview:
    safe = review.answer("child_safe")
    rereview = _iso(review.answer("rereview_date"))
    state = "not set" if not rereview else "overdue" if rereview < as_of.isoformat() else "due"
    words = {"not set": "Not set", "overdue": f"Overdue since {rereview}", "due": f"Due {rereview}"}[state]
    assured = [AssuredAction(a.ref, a.action, a.owner, a.due, a.status) for a in actions]
    return InadequateReview(
        ref=submission_ref(review.id),
        child_id=clean(review.child_id),
        team=clean(review.answer("team")),
        level_of_need=clean(review.answer("level_of_need")),
        child_safe=clean(safe) if safe not in (None, "") else NOT_RECORDED,
        rereview_date=rereview,
        rereview=words,
        rereview_state=state,
        actions=assured,
        owners=", ".join(dict.fromkeys(a.owner for a in assured if a.owner)),
    )


def _rereview(reviews: list[StoredSubmission], clean: Callable[[object], str]) -> ReReview:
    latest, previous = reviews[-1], reviews[-2]
    now, before = str(grade_of_record(latest)), str(grade_of_record(previous))
    outcome = "improved" if RANK[now] > RANK[before] else "worse" if RANK[now] < RANK[before] else "same"
    return ReReview(
        child_id=clean(latest.child_id),
        team=clean(latest.answer("team")),
        history=[GradeAt(r.quarter or "", submission_ref(r.id), str(grade_of_record(r))) for r in reviews],
        previous_grade=before,
        grade=now,
        outcome=outcome,
        previously_of_concern=before in CONCERN_GRADES,
    )


def _reading(assurance: Assurance) -> str:
    n = len(assurance.inadequate)
    if not n:
        text = "No review this quarter was graded inadequate."
    else:
        text = f"{n} review(s) were graded inadequate this quarter."
        if assurance.not_safe:
            text += f" In {assurance.not_safe} the child was judged not safe at the time of the review."
        else:
            safe = n - assurance.safe_not_recorded
            text += f" In {safe} of {n} the reviewer recorded that the child was safe at the time."
        if assurance.safe_not_recorded:
            text += f" {assurance.safe_not_recorded} did not record whether the child was safe."
        if assurance.without_action:
            text += f" {assurance.without_action} had no action recorded."
        if assurance.without_rereview:
            text += f" {assurance.without_rereview} had no re-review date."
    if assurance.of_concern:
        text += (f" Of {assurance.of_concern} child(ren) previously graded requires improvement or inadequate and reviewed "
                 f"again, {assurance.improved} improved, {assurance.same} stayed the same and {assurance.worse} got worse.")
    if assurance.overdue_rereviews:
        text += f" {len(assurance.overdue_rereviews)} earlier inadequate review(s) are past their re-review date."
    return text
