"""Two report sections beside the audit findings: the month's performance data, and the QA activity the Heads of
Service say they undertook (their summary's 'Quality assurance activity undertaken in the period').

Performance figures are the admin's (admin/performance.xlsx, read by :mod:`pipeline.performance`), summarised
for the quarter with the rules the section states; a bad row is left out of the figures and listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..performance import FILE_NAME, RULE, IndicatorLine, load_performance, summarise
from ..quarter import Quarter
from ..store import StoredSubmission
from .activity import rag_colour
from .sources import Sourcer, split_points


@dataclass
class Indicator:
    """One indicator as the report shows it (IndicatorLine with its RAG colour)."""

    line: IndicatorLine
    colour: str


@dataclass
class PerformanceData:
    """The performance-data section: each indicator's latest month against target, and the themes suggested."""

    file: str = ""  # 'admin/performance.xlsx', or "" when the workspace has none
    rule: str = RULE
    indicators: list[Indicator] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    red: int = 0
    amber: int = 0
    green: int = 0


def performance_section(workspace_root: Path, quarter: Quarter) -> PerformanceData:
    """The section for *quarter* from the workspace's performance workbook (empty when there is none)."""
    path = workspace_root / "admin" / FILE_NAME
    if not path.exists():
        return PerformanceData()
    readings, problems = load_performance(workspace_root)
    lines, suggestions = summarise(readings, quarter)
    return PerformanceData(
        file=f"admin/{FILE_NAME}",
        indicators=[Indicator(line, rag_colour(line.rag)) for line in lines],
        suggestions=suggestions,
        problems=problems,
        red=sum(line.rag == "Red" for line in lines),
        amber=sum(line.rag == "Amber" for line in lines),
        green=sum(line.rag == "Green" for line in lines),
    )


@dataclass
class HosActivity:
    """What one Head of Service says they did for QA in the quarter (one point per line they wrote)."""

    service: str
    author: str
    file: str  # the return's reference, S-0042
    points: list[str]


def hos_activity(returns: list[StoredSubmission], sourcer: Sourcer) -> list[HosActivity]:
    """Each Head of Service summary's 'QA activity undertaken in the period' (the activity_undertaken role)."""
    found = []
    for submission in returns:
        points = split_points(sourcer.text(submission.answer("activity_undertaken") or ""))
        if points:
            found.append(HosActivity(sourcer.clean(submission.answer("service")), sourcer.clean(submission.author),
                                     sourcer.clean(submission.file), points))
    return sorted(found, key=lambda item: (item.service.casefold(), item.author.casefold()))
