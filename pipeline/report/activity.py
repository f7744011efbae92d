"""QA activity against the plan and the framework's minimums: the report's RAG table.

The numbers come from ``pipeline.compliance.assess`` (roster + plan + targets → expected vs done).
Without a roster the report still counts what was received and rejected, unrated, and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..spec import Catalogue
from ..store import IssuedForm, LogEntry, StoredSubmission

# Cell fills for the RAG column: light enough for black text, still clearly red, amber, green.
RAG_COLOURS = {"Green": "A8D5A2", "Amber": "FFD966", "Red": "F4A09C"}
NOT_RATED = "D9D9D9"


@dataclass
class ActivityLine:
    """One QA activity this quarter: the minimum, what came in, what is still owed, and its RAG."""

    activity: str
    section: str
    period: str  # e.g. 'quarter (October–December 2022)' or 'year to date (April–December 2022)'
    unit: str  # what is counted: children, audits, returns …
    minimum: int | None
    received: int
    rejected: int
    outstanding: int | None
    rag: str  # Green | Amber | Red | "" (not rated)
    colour: str
    note: str = ""


@dataclass
class PersonLine:
    """A person who still owes QA activity this quarter."""

    name: str
    role: str
    team: str
    activity: str
    subject: str  # the colleague to observe, or whose supervision to audit
    due: str
    required: int
    done: int
    outstanding: int
    rag: str
    colour: str


@dataclass
class UnreturnedForm:
    """A form issued for the quarter that has not come back."""

    issue_id: str
    form: str
    assignee: str
    child_id: str
    issued_on: str


@dataclass
class Activity:
    """The RAG section: activity lines, people with activity outstanding, forms not returned."""

    rated: bool
    note: str
    lines: list[ActivityLine]
    people: list[PersonLine] = field(default_factory=list)
    unreturned: list[UnreturnedForm] = field(default_factory=list)
    ccr_gaps: list[str] = field(default_factory=list)
    green: int = 0
    amber: int = 0
    red: int = 0


def rag_colour(rag: str) -> str:
    """The cell fill for a RAG rating (grey when not rated)."""
    return RAG_COLOURS.get(rag.capitalize() if rag else "", NOT_RATED)


def activity_section(
    catalogue: Catalogue,
    current: dict[str, list[StoredSubmission]],
    rejected: list[LogEntry],
    unreturned: list[IssuedForm],
    compliance: object | None,
    clean: Callable[[object], str],
) -> Activity:
    """The RAG table from the compliance result, or received/rejected counts when there is none."""
    if compliance is not None:
        from .compliance_view import from_compliance

        activity = from_compliance(compliance, catalogue, clean)
    else:
        activity = Activity(
            rated=False,
            note="Activity is not rated against the minimums: there is no staff roster and plan in the workspace "
            "(run 'qa init' and complete admin/roster.xlsx and admin/qa-plan.xlsx).",
            lines=_counted_lines(catalogue, current, rejected),
            unreturned=[unreturned_form(issued, catalogue, clean) for issued in unreturned],
        )
    activity.green = sum(1 for line in activity.lines if line.rag == "Green")
    activity.amber = sum(1 for line in activity.lines if line.rag == "Amber")
    activity.red = sum(1 for line in activity.lines if line.rag == "Red")
    return activity


def _counted_lines(catalogue: Catalogue, current: dict[str, list[StoredSubmission]], rejected: list[LogEntry]) -> list[ActivityLine]:
    lines = []
    for spec in catalogue:
        if spec.variant:
            continue
        returns = current.get(spec.id, [])
        refused = sum(1 for entry in rejected if (entry.form or "").split("/")[0] == spec.id)
        children = sum(len(s.groups.get("children", [])) for s in returns)
        unit = "children" if children else "returns"
        lines.append(
            ActivityLine(
                spec.title,
                "",
                "quarter",
                unit,
                None,
                children or len(returns),
                refused,
                None,
                "",
                NOT_RATED,
                f"{len(returns)} return(s)" + (f" covering {children} children." if children else "."),
            )
        )
    return lines


def unreturned_form(issued: IssuedForm, catalogue: Catalogue, clean: Callable[[object], str]) -> UnreturnedForm:
    """An issued form not yet returned, as the report lists it."""
    try:
        title = catalogue.get(issued.form, issued.variant).display_title
    except KeyError:
        title = issued.form
    return UnreturnedForm(issued.issue_id, title, clean(issued.assignee), clean(issued.child_id), issued.issued_at[:10])
