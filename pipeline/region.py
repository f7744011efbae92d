"""A region of councils in one PostgreSQL database: a pseudonymised comparison of their QA, quarter by quarter.

Only councils whose qa.yaml says `region_opt_in: yes` are compared. Each is shown by its council code
unless its own qa.yaml says `region_show_name: yes` (then by `council_name:`). Only counts and
percentages leave a council: activity against its minimums, the grades of its collaborative case
reviews (CCRs), and how often its moderators agreed with the reviewer's grade. Never a child ID, a
name, or a file name. A council's activity against its minimums needs its roster, which stays in its
own workspace: it shares that line by running `qa region report` itself (any council's run shares its
own, then compares everyone's).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .errors import StoreError, message
from .quarter import Quarter
from .compliance.lines import GREEN
from .report.practice import GRADES, grade_of_record, percent
from .spec import Catalogue
from .store import Store, bind
from .store.records import stored
from .workspace import Workspace

NOT_SHARED = "not shared for this quarter yet (the council runs qa region report to share it)."


@dataclass(frozen=True)
class Activity:
    """One QA activity of a council against its minimum (counts only)."""

    activity: str
    minimum: int
    counted: int
    rag: str


@dataclass
class CouncilFigures:
    """What the region sees of one council in a quarter."""

    council: str  # its code, or its name where it allows that
    activities: list[Activity] | None  # None: the council has not shared them for the quarter
    reviews: int
    grades: dict[str, int] = field(default_factory=dict)
    moderated: int = 0
    agreed: int = 0

    @property
    def agreement_percent(self) -> float | None:
        """Moderation agreement: of the moderated CCRs, the share whose moderated grade is the reviewer's."""
        return percent(self.agreed, self.moderated)


def _postgres(store: Store) -> Store:
    if store.kind != "postgresql":
        raise StoreError(message("region_needs_postgres", where=store.where))
    return store


def share_activity(store: Store, workspace: Workspace, quarter: Quarter, catalogue: Catalogue) -> bool:
    """Put this council's activity against its minimums for *quarter* where the region report reads it.

    False (nothing shared) if the council has not opted in or has no roster to judge the minimums by.
    """
    from .compliance.assessment import assess_workspace
    from .errors import WorkspaceError

    if not _postgres(store).tenant.region_opt_in:
        return False
    try:
        compliance = assess_workspace(workspace, store, quarter, catalogue).compliance
    except WorkspaceError:
        return False
    lines = [asdict(Activity(line.activity, line.minimum, line.counted, line.rag)) for line in compliance.activities]
    store.share_region_activity(quarter.label, json.dumps(lines))
    return True


def region_figures(store: Store, quarter: Quarter, catalogue: Catalogue) -> list[CouncilFigures]:
    """Each opted-in council's figures for *quarter*, in the order of their codes."""
    shared = {schema: json.loads(lines) for schema, lines in _postgres(store).region_activity(quarter.label).items()}
    figures = []
    for tenant in store.tenants():
        if not tenant["region_opt_in"]:
            continue
        shown = tenant["council_name"] if tenant["region_show_name"] and tenant["council_name"] else tenant["council"] or "-"
        rows = store.tenant_rows(tenant["schema_name"], "SELECT * FROM submission WHERE form = ? AND quarter = ? AND status = 'current'",
                                 ("ccr", quarter.label))
        reviews = bind([stored(row) for row in rows], catalogue)
        grades = dict.fromkeys(GRADES, 0)
        moderated = agreed = 0
        for review in reviews:
            grade = grade_of_record(review)
            if grade in grades:
                grades[grade] += 1  # type: ignore[index]
            if review.answer("moderated_grade") in grades:
                moderated += 1
                agreed += review.answer("moderated_grade") == review.answer("overall_grade")
        lines = shared.get(tenant["schema_name"])
        figures.append(CouncilFigures(shown, [Activity(**line) for line in lines] if lines is not None else None,
                                      len(reviews), grades, moderated, agreed))
    return figures


def describe(figures: list[CouncilFigures], quarter: Quarter) -> list[str]:
    """The comparison as plain lines for the terminal."""
    out = [f"Region comparison for {quarter.label}: {len(figures)} council(s) taking part (codes unless a council shows its name).", ""]
    for council in figures:
        out.append(f"{council.council}")
        if council.activities is None:
            out.append(f"  Activity against the minimums: {NOT_SHARED}")
        else:
            met = sum(1 for a in council.activities if a.rag == GREEN)
            out.append(f"  Activity against the minimums: {met} of {len(council.activities)} met")
            out += [f"    {a.activity}: {a.counted} of {a.minimum} ({a.rag})" for a in council.activities]
        spread = ", ".join(f"{grade} {n}" for grade, n in council.grades.items())
        out.append(f"  CCR grades ({council.reviews} review(s)): {spread}")
        agreement = council.agreement_percent
        out.append(f"  Moderation agreement: {'no moderated reviews' if agreement is None else f'{agreement:g}%'}"
                   f" ({council.agreed} of {council.moderated} moderated review(s) kept the reviewer's grade)")
        out.append("")
    return out


def as_json(figures: list[CouncilFigures], quarter: Quarter) -> dict:
    """The comparison as plain data."""
    return {"quarter": quarter.label, "councils": [
        {"council": c.council, "activities": None if c.activities is None else [asdict(a) for a in c.activities],
         "reviews": c.reviews, "grades": c.grades, "moderated": c.moderated, "agreed": c.agreed,
         "agreement_percent": c.agreement_percent} for c in figures]}
