"""QA activity against the plan and the framework's minimums: the report's RAG table.

The numbers are the quarter's assessment (``pipeline.compliance``), shown as they are: a report
without a roster is not rendered, as `qa status` is not (the same message says how to make one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..spec import Catalogue
from ..store import IssuedForm

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
    minimum: int
    received: int
    counted: int  # towards the minimum: minimum − counted = outstanding
    rejected: int
    outstanding: int
    rag: str  # Green | Amber | Red
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
class PlanRow:
    """One planned activity (the QA plan, Appendices 7–8) against what was returned."""

    month: str
    week_beginning: str  # ISO date, or '' when the plan gives only the month
    activity: str
    theme: str
    who: str
    status: str  # Done in its week | Done before its week | Late | Not done | Not yet due
    theme_status: str  # 'As planned', 'Not as planned' or ''
    rag: str
    colour: str
    note: str


@dataclass
class LateRow:
    """A return that arrived after the quarter's due date."""

    ref: str
    form: str
    author: str
    received: str


@dataclass
class Activity:
    """The RAG section: activity lines, people with activity outstanding, forms not returned, and their RAG counts."""

    rated: bool
    note: str
    lines: list[ActivityLine]
    people: list[PersonLine] = field(default_factory=list)
    unreturned: list[UnreturnedForm] = field(default_factory=list)
    ccr_gaps: list[str] = field(default_factory=list)
    green: int = 0
    amber: int = 0
    red: int = 0
    people_amber: int = 0  # rows of the people table rated Amber
    people_red: int = 0
    method: list[str] = field(default_factory=list)  # how the minimums were judged, where the framework disagrees with itself
    plan: list[PlanRow] = field(default_factory=list)
    plan_green: int = 0
    plan_amber: int = 0
    plan_red: int = 0
    plan_problems: list[str] = field(default_factory=list)
    deadline: str = ""  # when the quarter's returns were due, from the plan's SLT / DLT dates
    due: str = ""  # ISO date, '' when the plan gives none
    late: list[LateRow] = field(default_factory=list)


def rag_colour(rag: str) -> str:
    """The cell fill for a RAG rating (grey when not rated)."""
    return RAG_COLOURS.get(rag.capitalize() if rag else "", NOT_RATED)


def activity_section(catalogue: Catalogue, assessment, clean: Callable[[object], str]) -> Activity:
    """The RAG table, the people still owing activity, the forms not returned, and the plan against what
    happened, from the assessment (or from its compliance alone: then no plan)."""
    from .compliance_view import from_assessment, from_compliance

    if hasattr(assessment, "compliance"):
        return from_assessment(assessment, catalogue, clean)
    return from_compliance(assessment, catalogue, clean)


def unreturned_form(issued: IssuedForm, catalogue: Catalogue, clean: Callable[[object], str]) -> UnreturnedForm:
    """An issued form not yet returned, as the report lists it."""
    try:
        title = catalogue.get(issued.form, issued.variant).display_title
    except KeyError:
        title = issued.form
    return UnreturnedForm(issued.issue_id, title, clean(issued.assignee), clean(issued.child_id), issued.issued_at[:10])
