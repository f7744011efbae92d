"""Learning followed through for each reviewed child (framework §13): feedback, file, supervision, follow-up.

Each CCR records the date written and verbal feedback was given to the practitioner
(role ``feedback_given_on``), the date the review was placed on the child's file (``placed_on_file_on``),
the date it was reviewed in supervision (``supervision_on``) and the follow-up needed (``follow_up``:
Dip sample / Audit / None needed). A dated step left blank is *overdue* once more than
``follow_through_days`` (qa.yaml) have passed since the review; a follow-up dip sample or audit is
*done* when a later dip sample or thematic audit has a row for the same child. A step an older
version of the form did not ask is "Not recorded", never overdue. The review's date is its activity
date (role ``activity_date``, or the date field the spec marks ``within_quarter: activity`` — "When
was the review?" on the CCR), else the date the form was completed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..store import StoredSubmission, submission_ref

FOLLOW_THROUGH_DAYS = 28
DATED_STEPS = (
    ("feedback_given_on", "Feedback to the practitioner"),
    ("placed_on_file_on", "Placed on the child's file"),
    ("supervision_on", "Reviewed in supervision"),
)
NOT_RECORDED = "Not recorded"
# What the follow_up answer asks for → the form whose row for the same child shows it was done.
FOLLOW_UP_FORMS = {"dip sample": "dip_sample", "audit": "thematic_audit"}


@dataclass
class Step:
    """One step of the follow-through: its date (or what was chosen) and its state."""

    label: str
    value: str  # an ISO date, the follow-up chosen, or ''
    state: str  # done | due | overdue | not recorded | not needed


@dataclass
class ChildFollowThrough:
    """The follow-through of one review."""

    ref: str
    child_id: str
    team: str
    review_date: str
    steps: list[Step]
    overdue: int


@dataclass
class FollowThrough:
    """Every reviewed child's follow-through this quarter, with the overdue steps counted."""

    days: int
    rows: list[ChildFollowThrough] = field(default_factory=list)
    complete: int = 0
    with_overdue: int = 0
    overdue_steps: int = 0
    not_recorded: int = 0  # reviews on a form version that does not ask
    reading: str = ""


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _asked(review: StoredSubmission, role: str) -> bool:
    """Whether the version of the form this return was made on asked the question with *role*."""
    question = review.spec.role_field(role) if review.spec else None
    return question is not None and question.since <= review.version


def _review_date(review: StoredSubmission) -> dt.date | None:
    """The day of the review: the activity date (role, or the date the spec says the activity took place), else completion."""
    activity = [f for f in review.spec.fields() if f.type == "date" and f.within_quarter == "activity"] if review.spec else []
    return (_date(review.answer("activity_date")) or (_date(review.values.get(activity[0].id)) if activity else None)
            or _date(review.answer("completed_on")))


def follow_through(
    reviews: list[StoredSubmission],
    audits: list[StoredSubmission],
    as_of: dt.date,
    clean: Callable[[object], str],
    days: int = FOLLOW_THROUGH_DAYS,
) -> FollowThrough:
    """The follow-through of each of *reviews* at *as_of*; *audits* are every dip sample and thematic audit to date."""
    audited: dict[tuple[str, str], list[dt.date]] = {}
    for audit in audits:
        on = _date(audit.answer("completed_on"))
        for row in audit.rows("children"):
            if row.get("child_id") and on:
                audited.setdefault((audit.form, str(row["child_id"]).strip().upper()), []).append(on)
    result = FollowThrough(days=days)
    for review in sorted(reviews, key=lambda r: (str(r.child_id or ""), r.id)):
        reviewed = _review_date(review)
        late = reviewed is not None and (as_of - reviewed).days > days
        steps = []
        for role, label in DATED_STEPS:
            if not _asked(review, role):
                steps.append(Step(label, "", "not recorded"))
                continue
            on = _date(review.answer(role))
            steps.append(Step(label, on.isoformat() if on else "", "done" if on else "overdue" if late else "due"))
        steps.append(_follow_up(review, reviewed, late, audited))
        row = ChildFollowThrough(
            ref=submission_ref(review.id),
            child_id=clean(review.child_id),
            team=clean(review.answer("team")),
            review_date=reviewed.isoformat() if reviewed else "",
            steps=steps,
            overdue=sum(1 for s in steps if s.state == "overdue"),
        )
        result.rows.append(row)
        result.overdue_steps += row.overdue
        result.with_overdue += bool(row.overdue)
        result.not_recorded += all(s.state == "not recorded" for s in steps)
        result.complete += all(s.state in ("done", "not needed") for s in steps)
    result.rows.sort(key=lambda r: (-r.overdue, r.child_id))
    result.reading = _reading(result, len(reviews))
    return result


def _follow_up(review: StoredSubmission, reviewed: dt.date | None, late: bool,
               audited: dict[tuple[str, str], list[dt.date]]) -> Step:
    label = "Follow-up dip sample or audit"
    if not _asked(review, "follow_up"):
        return Step(label, "", "not recorded")
    chosen = review.answer("follow_up")
    if not chosen:
        return Step(label, "", "overdue" if late else "due")
    form = FOLLOW_UP_FORMS.get(str(chosen).casefold())
    if form is None:
        return Step(label, str(chosen), "not needed")
    child = str(review.child_id or "").strip().upper()
    done = [on for on in audited.get((form, child), []) if reviewed is None or on >= reviewed]
    if done:
        return Step(label, f"{chosen} {min(done).isoformat()}", "done")
    return Step(label, str(chosen), "overdue" if late else "due")


def _reading(result: FollowThrough, reviews: int) -> str:
    if not reviews:
        return "No collaborative case reviews were returned, so there is no follow-through to show."
    text = (f"{result.complete} of {reviews} reviewed children have every follow-through step done; "
            f"{result.with_overdue} have a step overdue ({result.overdue_steps} step(s) in all). A step is overdue "
            f"when it is not done more than {result.days} days after the review.")
    if result.not_recorded:
        text += f" {result.not_recorded} review(s) were on an earlier form that did not record follow-through."
    return text
