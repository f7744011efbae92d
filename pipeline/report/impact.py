"""Impact beside grade: the CCR's judgement of the impact of the work for the child, set against its grade.

A grade says how good the practice was; the impact judgement (role ``impact``: Better / About the
same / Worse on the shipped CCR) says what difference it made for the child. The report shows the two
as a cross-tab, and the impact by team and by level of need. The scale is read from the form's
choices, never written here. A review on an older form version that had no impact question counts as
"Not recorded" — never as a 'no'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..spec import GRADES, FormSpec
from ..store import StoredSubmission
from .practice import GOOD_OR_BETTER, grade_of_record, percent

NOT_RECORDED = "Not recorded"


@dataclass
class ImpactRow:
    """How many reviews in one group (a grade, a team, a level of need) found each impact."""

    label: str
    counts: list[int]  # one per point of the scale, in the form's order
    not_recorded: int
    total: int
    first_percent: float | None  # the first point of the scale ('Better') as a share of those recorded


@dataclass
class Impact:
    """The impact judgement across the quarter's reviews: against the grade, by team and by level of need."""

    asked: bool  # False: the CCR form in use has no impact question
    scale: list[str]
    reviews: int
    recorded: int
    not_recorded: int
    total: ImpactRow
    by_grade: list[ImpactRow]
    by_team: list[ImpactRow]
    by_level: list[ImpactRow]
    good_but_worse: int  # graded good or better, yet the child's situation was judged worse
    poor_but_better: int  # graded requires improvement or inadequate, yet judged better
    reading: str


def impact_section(spec: FormSpec, reviews: list[StoredSubmission], clean: Callable[[object], str]) -> Impact:
    """The impact cross-tab for *reviews* (this quarter's current CCRs)."""
    question = spec.role_field("impact")
    scale = [str(choice) for choice in question.choices] if question else []

    def row(label: str, group: list[StoredSubmission]) -> ImpactRow:
        answers = [review.answer("impact") for review in group]
        counts = [sum(1 for a in answers if a == point) for point in scale]
        recorded = sum(counts)
        return ImpactRow(label, counts, len(group) - recorded, len(group), percent(counts[0], recorded) if scale else None)

    by_grade = [row(grade, [r for r in reviews if grade_of_record(r) == grade]) for grade in GRADES]
    teams = sorted({clean(r.answer("team")) for r in reviews if r.answer("team")}, key=str.casefold)
    by_team = [row(team, [r for r in reviews if clean(r.answer("team")) == team]) for team in teams]
    level_field = spec.role_field("level_of_need")
    levels = [str(c) for c in level_field.choices] if level_field else []
    levels += sorted({str(r.answer("level_of_need")) for r in reviews if r.answer("level_of_need")} - set(levels))
    by_level = [row(level, [r for r in reviews if r.answer("level_of_need") == level]) for level in levels]
    by_level = [line for line in by_level if line.total]
    total = row("All reviews", reviews)
    first, last = (scale[0], scale[-1]) if scale else ("", "")
    good_but_worse = sum(1 for r in reviews if scale and grade_of_record(r) in GOOD_OR_BETTER and r.answer("impact") == last)
    poor_but_better = sum(
        1 for r in reviews if scale and grade_of_record(r) in GRADES[2:] and r.answer("impact") == first
    )
    impact = Impact(
        asked=bool(scale),
        scale=scale,
        reviews=len(reviews),
        recorded=total.total - total.not_recorded,
        not_recorded=total.not_recorded,
        total=total,
        by_grade=by_grade,
        by_team=by_team,
        by_level=by_level,
        good_but_worse=good_but_worse,
        poor_but_better=poor_but_better,
        reading="",
    )
    impact.reading = _reading(impact)
    return impact


def _reading(impact: Impact) -> str:
    """The cross-tab in words, each figure with the count behind it."""
    if not impact.asked:
        return "The collaborative case review form in use does not ask about the impact of the work for the child."
    if not impact.recorded:
        return (f"None of the {impact.reviews} reviews recorded the impact of the work for the child "
                f"(returns on an earlier version of the form have no impact question).")
    scale = [point.lower() for point in impact.scale]
    parts = ", ".join(f"{count} {point}" for count, point in zip(impact.total.counts, scale))
    text = f"Of {impact.recorded} reviews that recorded the impact for the child, {parts}"
    text += f" ({impact.total.first_percent:.0f}% {scale[0]})." if impact.total.first_percent is not None else "."
    good = [line for line in impact.by_grade if line.label in GOOD_OR_BETTER]
    poor = [line for line in impact.by_grade if line.label not in GOOD_OR_BETTER]
    good_recorded = sum(line.total - line.not_recorded for line in good)
    poor_recorded = sum(line.total - line.not_recorded for line in poor)
    if good_recorded:
        text += (f" Where practice was graded good or better, {sum(line.counts[0] for line in good)} of {good_recorded} "
                 f"were {scale[0]}")
        text += f"; where it was graded below good, {sum(line.counts[0] for line in poor)} of {poor_recorded}." \
            if poor_recorded else "."
    elif poor_recorded:
        text += f" Where practice was graded below good, {sum(line.counts[0] for line in poor)} of {poor_recorded} were {scale[0]}."
    if impact.good_but_worse:
        text += (f" {impact.good_but_worse} review(s) graded good or better found the child's situation {scale[-1]}: "
                 "worth a second look at moderation.")
    if impact.not_recorded:
        text += f" {impact.not_recorded} review(s) did not record the impact."
    return text
