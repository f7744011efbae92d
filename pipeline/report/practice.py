"""Quality of practice from collaborative case reviews: grade distributions, moderation and change.

The grade of record is the moderated grade where there is one, else the reviewer's overall grade
(:func:`grade_of_record`). Every headline, table, chart and change from last quarter counts it;
the reviewer's own grade appears only in the moderation section, set against the moderator's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..spec import GRADES, FormSpec
from ..store import StoredSubmission

GOOD_OR_BETTER = GRADES[:2]
# Higher rank = better grade, so 'moderator graded higher' means the moderator judged the work better.
RANK = {grade: len(GRADES) - index for index, grade in enumerate(GRADES)}


def grade_of_record(review: StoredSubmission) -> object:
    """A CCR's overall grade as reported: the moderator's where they gave one, else the reviewer's."""
    moderated = review.answer("moderated_grade")
    return moderated if moderated in RANK else review.answer("overall_grade")


def percent(part: int, whole: int) -> float | None:
    """*part* of *whole* as a percentage to one decimal place; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class GradeCount:
    """How many were given one grade."""

    grade: str
    count: int
    percent: float | None


@dataclass
class Distribution:
    """Grades given to one thing (overall, a domain, a team, a level of need)."""

    label: str
    total: int
    grades: list[GradeCount]
    good_or_better: int
    good_or_better_percent: float | None

    @classmethod
    def of(cls, label: str, grades: Iterable[object]) -> Distribution:
        """Count *grades* (values not on the scale are left out)."""
        counts = dict.fromkeys(GRADES, 0)
        for grade in grades:
            if grade in counts:
                counts[grade] += 1  # type: ignore[index]
        total = sum(counts.values())
        good = sum(counts[g] for g in GOOD_OR_BETTER)
        return cls(label, total, [GradeCount(g, n, percent(n, total)) for g, n in counts.items()], good, percent(good, total))

    def count(self, grade: str) -> int:
        """How many were given *grade*."""
        return next(item.count for item in self.grades if item.grade == grade)


@dataclass
class Change:
    """Good-or-better rate this quarter against the previous one."""

    label: str
    previous_total: int
    current_total: int
    previous_percent: float | None
    current_percent: float | None
    change_points: float | None
    direction: str  # up | down | same | n/a


@dataclass
class ModerationChange:
    """A review whose grade the moderator changed."""

    child_id: str
    team: str
    reviewer: str
    grade: str
    moderated_grade: str
    moderator: str
    direction: str  # higher | lower


@dataclass
class Moderation:
    """Reviewer's overall grade against the moderator's, over the reviews that were moderated."""

    reviews: int
    moderated: int
    not_moderated: int
    agreed: int
    higher: int
    lower: int
    agreed_percent: float | None
    higher_percent: float | None
    lower_percent: float | None
    changes: list[ModerationChange] = field(default_factory=list)


@dataclass
class ReviewOfConcern:
    """A review whose grade of record is Inadequate (the moderator's where they gave one)."""

    child_id: str
    team: str
    level_of_need: str
    reviewer: str
    grade: str
    moderated: bool


@dataclass
class PracticeQuality:
    """Everything the report says about collaborative case reviews in a quarter."""

    reviews: int
    previous_quarter: str
    previous_reviews: int
    overall: Distribution
    previous_overall: Distribution
    domains: list[Distribution]
    by_team: list[Distribution]
    by_level: list[Distribution]
    moderation: Moderation
    changes: list[Change]
    concerns: list[ReviewOfConcern]
    teams_covered: int
    levels_covered: int
    levels_total: int


def domains(spec: FormSpec) -> list[tuple[str, str]]:
    """(field id, label) of each CCR domain grade (role domain_grade), in form order, read from the spec."""
    found = []
    for item in spec.role_fields("domain_grade"):
        label = item.label[: -len(" grade")] if item.label.lower().endswith(" grade") else item.label
        found.append((item.id, label))
    return found


def practice_quality(
    spec: FormSpec, current: list[StoredSubmission], previous: list[StoredSubmission], previous_label: str, clean: Callable[[object], str]
) -> PracticeQuality:
    """CCR distributions for *current* reviews, compared with *previous* ones."""
    domain_fields = domains(spec)
    level_field = spec.role_field("level_of_need")
    levels = list(level_field.choices) if level_field else []
    overall = Distribution.of("Overall grade", (grade_of_record(s) for s in current))
    previous_overall = Distribution.of("Overall grade", (grade_of_record(s) for s in previous))
    domain_now = [Distribution.of(label, (s.values.get(fid) for s in current)) for fid, label in domain_fields]
    domain_before = [Distribution.of(label, (s.values.get(fid) for s in previous)) for fid, label in domain_fields]
    teams = sorted({clean(s.answer("team")) for s in current if s.answer("team")}, key=str.casefold)
    by_team = [
        Distribution.of(team, (grade_of_record(s) for s in current if clean(s.answer("team")) == team)) for team in teams
    ]
    seen_levels = {s.answer("level_of_need") for s in current}
    level_order = levels + sorted(str(v) for v in seen_levels if v and v not in levels)
    by_level = [
        Distribution.of(level, (grade_of_record(s) for s in current if s.answer("level_of_need") == level))
        for level in level_order
    ]
    return PracticeQuality(
        reviews=len(current),
        previous_quarter=previous_label,
        previous_reviews=len(previous),
        overall=overall,
        previous_overall=previous_overall,
        domains=domain_now,
        by_team=by_team,
        by_level=by_level,
        moderation=moderation(current, clean),
        changes=[change(previous_overall, overall)] + [change(b, a) for b, a in zip(domain_before, domain_now)],
        concerns=_concerns(current, clean),
        teams_covered=len(teams),
        levels_covered=sum(1 for d in by_level if d.total),
        levels_total=len(level_order),
    )


def moderation(reviews: list[StoredSubmission], clean: Callable[[object], str]) -> Moderation:
    """Agreement between each reviewer's overall grade and the moderated grade."""
    agreed = higher = lower = 0
    changes = []
    for review in reviews:
        grade, moderated = review.answer("overall_grade"), review.answer("moderated_grade")
        if grade not in RANK or moderated not in RANK:
            continue
        if moderated == grade:
            agreed += 1
            continue
        direction = "higher" if RANK[moderated] > RANK[grade] else "lower"  # type: ignore[index]
        higher += direction == "higher"
        lower += direction == "lower"
        changes.append(
            ModerationChange(
                child_id=clean(review.child_id),
                team=clean(review.answer("team")),
                reviewer=clean(review.answer("reviewer")),
                grade=str(grade),
                moderated_grade=str(moderated),
                moderator=clean(review.answer("moderator")),
                direction=direction,
            )
        )
    moderated_count = agreed + higher + lower
    return Moderation(
        reviews=len(reviews),
        moderated=moderated_count,
        not_moderated=len(reviews) - moderated_count,
        agreed=agreed,
        higher=higher,
        lower=lower,
        agreed_percent=percent(agreed, moderated_count),
        higher_percent=percent(higher, moderated_count),
        lower_percent=percent(lower, moderated_count),
        changes=changes,
    )


def change(before: Distribution, after: Distribution) -> Change:
    """The change in the good-or-better rate, in percentage points."""
    points = None
    direction = "n/a"
    if before.good_or_better_percent is not None and after.good_or_better_percent is not None:
        points = round(after.good_or_better_percent - before.good_or_better_percent, 1)
        direction = "up" if points > 0 else "down" if points < 0 else "same"
    return Change(after.label, before.total, after.total, before.good_or_better_percent, after.good_or_better_percent, points, direction)


def _concerns(reviews: list[StoredSubmission], clean: Callable[[object], str]) -> list[ReviewOfConcern]:
    worst = GRADES[-1]
    return [
        ReviewOfConcern(
            child_id=clean(r.child_id),
            team=clean(r.answer("team")),
            level_of_need=clean(r.answer("level_of_need")),
            reviewer=clean(r.answer("reviewer")),
            grade=worst,
            moderated=r.answer("moderated_grade") in RANK,
        )
        for r in reviews
        if grade_of_record(r) == worst
    ]
