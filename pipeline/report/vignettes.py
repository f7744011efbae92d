"""Vignettes: two or three short anonymised case summaries a quarter, drafted for the PSW to edit.

One strong (the best grade of record, an impact of 'Better' first), one weak (the worst grade, an
impact of 'Worse' first) and, where there is one, a child whose grade improved on re-review. Each is
drafted from the CCR's "what has gone well" and "what needs to happen" — the form's top-level strength
and worry texts (``FormSpec.theme_pairs()``; roles ``working_well`` / ``needs_to_happen`` where a
workspace's form declares them instead); the pen picture is marked ``identifying: text`` on the form, so it is never
copied: the draft leaves a marked gap for the PSW to write two lines of context in their own words.

Anonymised means more here than in the report: children's names *and* child IDs are removed, and
staff names too — a vignette is meant to be read far from the case file. The vignettes go in their
own Word document beside the report (``VIGNETTES_FILE``), marked DRAFT, written once and never
replaced, so the PSW's edits survive every later render of the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..spec import Catalogue
from ..spec.contract import STAFF_NAME_ROLES
from ..store import StoredSubmission
from .assurance import ReReview
from .practice import RANK, grade_of_record
from .redact import PLACEHOLDER, Redactor, clean_text

VIGNETTES_FILE = "vignettes-{quarter}-DRAFT.docx"
CHILD = "the child"
WORKER = "[worker]"
# An ID-like token: one to three letters and three or more digits ('C10234', 'LAC-00123').
_ID_LIKE = re.compile(r"\b[A-Za-z]{1,3}[-_/]?\d{3,}\b")


@dataclass
class Vignette:
    """One draft case summary, with nothing that identifies the child or the people working with them."""

    kind: str  # strong | weak | improved
    heading: str
    context: str  # a marked gap for the PSW: the pen picture is never copied
    difference: str  # what made a difference
    needs: str  # what needs to happen
    grade: str
    impact: str


@dataclass
class Vignettes:
    """This quarter's draft vignettes and the file they are written to."""

    status: str
    file: str
    cases: list[Vignette] = field(default_factory=list)
    note: str = ""


class Anonymiser:
    """Removes children's names, child IDs (known and ID-like) and staff names from a vignette's text."""

    def __init__(self, catalogue: Catalogue, submissions: list[StoredSubmission]) -> None:
        self.names = Redactor.from_submissions(catalogue, submissions, identify=lambda _child: CHILD)
        ids: set[str] = set()
        staff: set[str] = set()
        for submission in submissions:
            ids.add(str(submission.child_id or ""))
            for row in (r for _group, rows in submission.all_rows() for r in rows):
                ids.add(str(row.get("child_id") or ""))
            for role in ("author", *STAFF_NAME_ROLES):
                staff.add(str(submission.answer(role) or ""))
        self._ids = _alternation(ids)
        self._staff = _alternation(name for name in staff if len(name.split()) >= 2)

    def __call__(self, value: object) -> str:
        text = self.names.text(clean_text(value)).replace(PLACEHOLDER, CHILD)
        if self._ids:
            text = self._ids.sub(CHILD, text)
        text = _ID_LIKE.sub(CHILD, text)
        text = self.without_staff(text).strip()
        return text[:1].upper() + text[1:]

    def without_staff(self, text: str) -> str:
        """*text* with the names of staff (as typed in the returns' staff boxes) replaced by '[worker]'."""
        return self._staff.sub(WORKER, text) if self._staff else text


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w.strip() for w in words if w and w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def draft_vignettes(reviews: list[StoredSubmission], anonymise: Anonymiser, rereviewed: list[ReReview], quarter: str) -> Vignettes:
    """Up to three draft vignettes from this quarter's *reviews*, every text passed through *anonymise*."""
    usable = [r for r in reviews if grade_of_record(r) in RANK and (_said(r, "strength") or _said(r, "worry"))]
    chosen: list[tuple[str, StoredSubmission]] = []
    scale = _scale(reviews)
    if usable:
        best = max(usable, key=lambda r: (RANK[grade_of_record(r)], r.answer("impact") == scale[0] if scale else 0, -r.id))
        worst = min(usable, key=lambda r: (RANK[grade_of_record(r)], -(r.answer("impact") == scale[-1]) if scale else 0, r.id))
        chosen.append(("strong", best))
        if RANK[grade_of_record(worst)] < RANK[grade_of_record(best)]:
            chosen.append(("weak", worst))
        improved = {r.child_id for r in rereviewed if r.outcome == "improved"}
        others = [r for r in usable if r not in (best, worst) and r.child_id in improved]
        if others:
            chosen.append(("improved", others[0]))
    cases = [_vignette(kind, review, anonymise) for kind, review in chosen]
    note = (
        "DRAFT for the Principal Social Worker to edit in Word before the report is final. Children's names, child IDs "
        "and staff names have been removed; the pen picture is not copied, because it identifies the child."
    )
    return Vignettes("DRAFT", VIGNETTES_FILE.format(quarter=quarter), cases, note if cases else "")


def _said(review: StoredSubmission, kind: str) -> object:
    """The review's top-level strength ('what has gone well') or worry ('what needs to happen') text."""
    for pair in review.spec.theme_pairs() if review.spec else ():
        if pair.group is None and pair.kind == kind and review.values.get(pair.text.id):
            return review.values[pair.text.id]
    return review.answer("working_well" if kind == "strength" else "needs_to_happen")


def _scale(reviews: list[StoredSubmission]) -> list[str]:
    for review in reviews:
        question = review.spec.role_field("impact") if review.spec else None
        if question is not None:
            return [str(choice) for choice in question.choices]
    return []


def _vignette(kind: str, review: StoredSubmission, anonymise: Anonymiser) -> Vignette:
    grade = str(grade_of_record(review))
    level = str(review.answer("level_of_need") or "").strip()
    impact = str(review.answer("impact") or "").strip()
    title = {"strong": "Strong practice", "weak": "Practice that needs to improve", "improved": "Improved since the last review"}
    heading = (f"{title[kind]} — {level.lower() if level else 'level of need not recorded'}; graded {grade}; "
               f"impact for the child: {impact or 'not recorded'}")
    return Vignette(
        kind=kind,
        heading=heading,
        context="[PSW: two or three lines of context in your own words. The pen picture is not copied here because it "
                "identifies the child.]",
        difference=anonymise(_said(review, "strength")),
        needs=anonymise(_said(review, "worry")),
        grade=grade,
        impact=impact or "Not recorded",
    )
