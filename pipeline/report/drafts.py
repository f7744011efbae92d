"""What goes into each service area's Appendix 1 summary draft, for its Head of Service to complete.

The areas are the service-summary form's own list (§2.8). The QA unit's returns say something
about some of them: children at early help, children whose plans IROs and CP chairs review, and
feedback gathered through IRO / CP chair reviews or complaints. Each draft lists that activity,
last quarter's agreed actions for the area (so progress is reported), and leaves the rest to the
Head of Service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..spec import Catalogue
from ..store import StoredSubmission
from .practice import Distribution, grade_of_record, percent
from .sources import Sourcer, split_points

SUMMARY_FORM = "service_summary"
AREA_ROLE = "area"
# Which children's levels of need, and which ways of gathering feedback, belong to an area.
AREA_LEVELS = {"Early help": ("Early help",), "Safeguarding unit (IRO / CP chairs)": ("Child protection", "Child we look after")}
AREA_FEEDBACK = {
    "Safeguarding unit (IRO / CP chairs)": ("IRO / CP chair review",),
    "Complaints and compliments": ("Complaint or compliment",),
}


@dataclass
class ServiceAreaDraft:
    """One area's pre-filled summary: the activity the QA unit holds, and whether it has returned."""

    area: str
    activity: str
    returned: bool
    returned_by: str
    file: str = ""  # set when the draft is written


def areas(catalogue: Catalogue) -> list[str]:
    """The areas of service on the Appendix 1 form, in its order."""
    try:
        item = catalogue.get(SUMMARY_FORM).role_field(AREA_ROLE)
    except KeyError:
        return []
    return list(item.choices) if item else []


def service_area_drafts(
    catalogue: Catalogue,
    quarter: str,
    current: dict[str, list[StoredSubmission]],
    previous: dict[str, list[StoredSubmission]],
    previous_label: str,
    sourcer: Sourcer,
) -> list[ServiceAreaDraft]:
    """One draft per area of service, pre-filled with that area's activity this quarter."""
    drafts = []
    for area in areas(catalogue):
        lines = _activity_lines(area, current, quarter)
        agreed = [
            point
            for summary in previous.get(SUMMARY_FORM, [])
            if summary.answer(AREA_ROLE) == area
            for point in split_points(sourcer.text(summary.answer("needs_to_happen")))
        ]
        if agreed:
            lines.append(f"Actions agreed for {previous_label} — please say what progress has been made:")
            lines += [f"• {point}" for point in agreed]
        if not lines:
            lines.append(f"The QA unit holds no returns for this area in {quarter}.")
        lines.append("Please add the quality assurance activity your service undertook this quarter.")
        returned = [s for s in current.get(SUMMARY_FORM, []) if s.answer(AREA_ROLE) == area]
        drafts.append(ServiceAreaDraft(area, "\n".join(lines), bool(returned), sourcer.clean(returned[0].author) if returned else ""))
    return drafts


def _activity_lines(area: str, current: dict[str, list[StoredSubmission]], quarter: str) -> list[str]:
    lines = []
    levels = AREA_LEVELS.get(area, ())
    if levels:
        named = " / ".join(level.lower() for level in levels)
        reviews = [s for s in current.get("ccr", []) if s.answer("level_of_need") in levels]
        if reviews:
            grades = Distribution.of(area, (grade_of_record(s) for s in reviews))
            lines.append(
                f"Collaborative case reviews of children at {named}: {grades.total}; "
                f"{grades.good_or_better} good or better ({_pct(grades.good_or_better_percent)})."
            )
        dip = list(_rows(current.get("dip_sample", []), levels))
        if dip:
            compliant = sum(1 for row in dip if row.get("compliant") == "Yes")
            lines.append(
                f"Dip sampling: {len(dip)} children at {named}; {compliant} fully compliant ({_pct(percent(compliant, len(dip)))})."
            )
        audited = list(_rows(current.get("thematic_audit", []), levels))
        if audited:
            grades = Distribution.of(area, (row.get("overall_grade") for row in audited))
            lines.append(f"Thematic audits: {grades.total} children at {named}; {grades.good_or_better} good or better.")
        observed = [s for s in current.get("observation", []) if s.answer("level_of_need") in levels]
        if observed:
            lines.append(f"Observations of practice with children at {named}: {len(observed)}.")
    ways = AREA_FEEDBACK.get(area, ())
    feedback = [s for s in current.get("child_family_feedback", []) if s.answer("how_gathered") in ways]
    if feedback:
        lines.append(f"Feedback from children and families gathered through {' / '.join(w.lower() for w in ways)}: {len(feedback)}.")
    if lines:
        lines.insert(0, f"Activity recorded by the QA unit for {quarter}:")
    return lines


def _rows(returns: Iterable[StoredSubmission], levels: tuple[str, ...]) -> Iterable[dict]:
    for submission in returns:
        for row in submission.rows("children"):
            if row.get("level_of_need") in levels:
                yield row


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"
