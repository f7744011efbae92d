"""The one-page summary (key figures and messages) and the learning priorities the evidence points to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .outline import ref
from .sources import CollatedPoint

if TYPE_CHECKING:
    from .findings import DipSamples, SupervisionAudits, ThematicAudits
    from .model import ReportModel
    from .practice import PracticeQuality
    from .voices import Edi


@dataclass
class Figure:
    """One headline number on the summary page."""

    label: str
    value: str
    note: str = ""


@dataclass
class Learning:
    """Learning for learning and development (§13): what the evidence shows, and what people asked for."""

    priorities: list[str] = field(default_factory=list)
    requested: list[CollatedPoint] = field(default_factory=list)


def pct(value: float | None) -> str:
    """'67%' (or '—' when there is nothing to count)."""
    return "—" if value is None else f"{value:.0f}%"


def points(value: float | None) -> str:
    """'+5 points', '−3 points', 'no change' (percentage points)."""
    if value is None:
        return "no previous quarter"
    if value == 0:
        return "no change"
    return f"{'+' if value > 0 else '−'}{abs(value):.0f} points"


def key_figures(model: ReportModel) -> list[Figure]:
    """The headline numbers, each with the comparison or detail that makes it meaningful."""
    practice, dips, thematic, actions = model.practice, model.dip_samples, model.thematic, model.actions
    trend = model.trends.lines[0] if model.trends and model.trends.lines else None
    change = trend.change if trend is not None else "no previous quarter"
    if trend is not None and len(trend.points) >= 2 and trend.points[-2].n:
        change += f" on {trend.points[-2].quarter}"
    moderation = practice.moderation
    figures = [
        Figure("QA returns received", str(len(model.sources)), rejected_note(model.rejections)),
        Figure(
            "Collaborative case reviews",
            str(practice.reviews),
            f"{pct(practice.overall.good_or_better_percent)} good or better on the moderated grade ({change}); "
            f"{practice.overall.count('Inadequate')} inadequate ({ref('practice')})",
        ),
        Figure(
            "Moderation agreement",
            pct(moderation.agreed_percent),
            f"{moderation.agreed} of {moderation.moderated} moderated reviews; "
            f"{moderation.higher} graded higher, {moderation.lower} lower by the moderator",
        ),
        Figure(
            "Dip sampling",
            f"{dips.children} children",
            f"{pct(dips.overall.yes_percent)} fully compliant, {pct(dips.overall.partly_percent)} partly, "
            f"{pct(dips.overall.no_percent)} not compliant ({dips.samples} samples)",
        ),
        Figure(
            "Thematic audits",
            str(thematic.audits),
            f"{thematic.children} children; {pct(thematic.overall.good_or_better_percent)} good or better",
        ),
        Figure("Observations of practice", str(model.observations.count), ""),
        Figure(
            "Supervision audits", str(model.supervision.count), f"{pct(model.supervision.grades.good_or_better_percent)} good or better"
        ),
        Figure(
            "Feedback returns",
            str(model.children_families.returns + model.staff.returns),
            f"{model.children_families.returns} from children, families and forums; {model.staff.returns} from staff",
        ),
        Figure(
            "Actions",
            f"{actions.open} open",
            f"{actions.overdue} overdue, {actions.raised} raised this quarter, {actions.completed} completed",
        ),
    ]
    activity = model.activity
    figures.insert(
        1,
        Figure(
            "Activity against minimums",
            f"{activity.green} of {len(activity.lines)} green",
            f"Activities overall: {activity.amber} amber, {activity.red} red. Still to do by individual people: "
            f"{len(activity.people)} obligation(s), {activity.people_red} of them red and {activity.people_amber} amber ({ref('activity')})",
        ),
    )
    return figures


def rejected_note(rejections) -> str:
    """What became of this quarter's rejected files, as the system did it."""
    if not rejections.total:
        return "No file rejected"
    return (
        f"{rejections.total} file(s) rejected: {rejections.resolved} resolved by a corrected resubmission, "
        f"{rejections.outstanding} outstanding. A note explaining the reasons was left beside each file in rejected/ "
        f"({ref('rejected')})"
    )


def key_messages(model: ReportModel) -> list[str]:
    """A few plain sentences a Director can act on, drawn from the numbers."""
    messages = []
    if not model.sources:
        messages.append(f"No QA returns have been received for {model.quarter} yet.")
    practice = model.practice
    rated = [d for d in practice.domains if d.total]
    if rated:
        best = max(rated, key=lambda d: d.good_or_better_percent or 0)
        worst = min(rated, key=lambda d: d.good_or_better_percent or 0)
        if best.good_or_better_percent == worst.good_or_better_percent:
            messages.append(
                f"Across {practice.reviews} collaborative case reviews, every domain was graded good or better "
                f"in {pct(best.good_or_better_percent)} of reviews."
            )
        else:
            messages.append(
                f"Across {practice.reviews} collaborative case reviews, {best.label.lower()} was strongest "
                f"({pct(best.good_or_better_percent)} good or better) and {worst.label.lower()} weakest "
                f"({pct(worst.good_or_better_percent)})."
            )
    moved = [c for c in practice.changes[1:] if c.change_points]
    if moved:
        biggest = max(moved, key=lambda c: abs(c.change_points or 0))
        messages.append(
            f"The largest change since {practice.previous_quarter} is in {biggest.label.lower()}: "
            f"{points(biggest.change_points)} to {pct(biggest.current_percent)} good or better."
        )
    if practice.moderation.lower:
        messages.append(
            f"Moderators lowered {practice.moderation.lower} of {practice.moderation.moderated} overall grades: "
            "reviewers may be grading generously."
        )
    if practice.concerns:
        messages.append(
            f"{len(practice.concerns)} review(s) graded inadequate (moderated grade where there is one): "
            "see {ref('practice')} for the children's IDs and teams."
        )
    if model.dip_samples.children:
        worst_team = min((t for t in model.dip_samples.by_team if t.total), key=lambda t: t.yes_percent or 0, default=None)
        if worst_team is not None:
            messages.append(
                f"Dip sampling found {pct(model.dip_samples.overall.yes_percent)} of children fully compliant; "
                f"lowest in {worst_team.label} ({pct(worst_team.yes_percent)})."
            )
    red = [line.activity for line in model.activity.lines if line.rag == "Red"]
    if red:
        messages.append(f"Below minimum (red): {', '.join(red)}.")
    if model.actions.overdue:
        messages.append(f"{model.actions.overdue} action(s) are overdue at {model.actions.as_of}; {ref('lists')} lists them.")
    if model.edi.returns and model.edi.with_evaluation < model.edi.returns:
        messages.append(
            f"{model.edi.returns - model.edi.with_evaluation} of {model.edi.returns} returns gave no equality, "
            "diversity and identity evaluation."
        )
    return messages


def learning_priorities(
    practice: PracticeQuality, dips: DipSamples, thematic: ThematicAudits, supervision: SupervisionAudits, edi: Edi
) -> list[str]:
    """Where the evidence says learning and development should focus next quarter."""
    found = []
    rated = sorted((d for d in practice.domains if d.total), key=lambda d: d.good_or_better_percent or 0)
    for domain in rated[:2]:
        found.append(
            f"{domain.label}: {pct(domain.good_or_better_percent)} good or better across {domain.total} collaborative case reviews."
        )
    for label, results in (("dip sample", dips.by_theme), ("thematic audit", thematic.by_theme)):
        weakest = None
        for theme in results:
            for question in theme.questions:
                short = sum(a.count for a in question.answers if a.answer in ("No", "Partly"))
                share = short / question.total if question.total else 0
                if short and (weakest is None or share > weakest[0]):
                    weakest = (share, question.question, theme.theme)
        if weakest:
            found.append(f"{weakest[1]} ({weakest[2]} {label}): {weakest[0] * 100:.0f}% answered No or Partly.")
    for question in supervision.questions:
        short = sum(a.count for a in question.answers if a.answer in ("No", "Partly"))
        if question.total and short / question.total >= 0.3:
            found.append(f"Supervision — {question.question.rstrip('?')}: {short} of {question.total} audits answered No or Partly.")
    if practice.moderation.moderated and practice.moderation.lower / practice.moderation.moderated >= 0.2:
        found.append(
            f"Grading calibration: moderators lowered {practice.moderation.lower} of {practice.moderation.moderated} "
            "overall grades; a moderation workshop would help reviewers."
        )
    if edi.returns and (edi.with_evaluation / edi.returns) < 0.9:
        found.append(f"Equality, diversity and identity: evaluated on {edi.with_evaluation} of {edi.returns} returns.")
    return found
