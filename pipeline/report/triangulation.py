"""Triangulation per theme: what each source of evidence says about each practice theme, and where they disagree.

Every strength and worry box on every form has a companion theme choice (``FormSpec.theme_pairs()``,
themes from the one list ``pipeline.spec.themes()``). Graded evidence counts too: a CCR domain whose
name is a theme (voice of the child, management oversight …), and each child row of a dip sample or
thematic audit under the theme it was run on (compliant / good or better counts as a strength,
not compliant, partly compliant, requires improvement or inadequate as a worry).

The rule for "disagree" is stated in :data:`RULE` and printed in the report beside the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..roles import fold
from ..spec import themes as theme_list
from ..store import StoredSubmission
from .practice import GOOD_OR_BETTER, RANK

# The sources, in the order the report shows them: form id → source.
SOURCE_OF_FORM = {
    "ccr": "Case reviews",
    "dip_sample": "Dip samples",
    "thematic_audit": "Thematic audits",
    "observation": "Observations",
    "supervision_audit": "Supervision audits",
    "supervision_dip_sample": "Supervision audits",
    "hos_summary": "Head of Service summaries",
    "service_summary": "Head of Service summaries",
    "child_family_feedback": "Feedback",
    "staff_feedback": "Feedback",
}
SOURCES = list(dict.fromkeys(SOURCE_OF_FORM.values()))
MIN_ITEMS = 2
STRONG, WEAK = 2 / 3, 1 / 3
MOSTLY_STRENGTHS, MOSTLY_WORRIES, MIXED, TOO_FEW = "mostly strengths", "mostly worries", "mixed", "too little to say"
RULE = (
    "A source's view of a theme is 'mostly strengths' when at least two-thirds of what it records on the theme "
    "(strengths, good or better grades, compliant cases) is positive, 'mostly worries' when at most one-third is, "
    f"'mixed' otherwise, and 'too little to say' with fewer than {MIN_ITEMS} items. Sources disagree on a theme when "
    "at least one says 'mostly strengths' and another 'mostly worries'."
)
EXAMPLE_LENGTH = 100


@dataclass
class SourceView:
    """What one source records on one theme."""

    source: str
    strengths: int = 0
    worries: int = 0
    view: str = ""
    example: str = ""  # one point in the source's own words (names replaced by IDs), or ''

    def settle(self, strength_texts: list[str], worry_texts: list[str]) -> None:
        """Work out the view, and pick the example from the texts that were added."""
        items = self.strengths + self.worries
        share = self.strengths / items if items else 0.0
        self.view = TOO_FEW if items < MIN_ITEMS else MOSTLY_STRENGTHS if share >= STRONG else \
            MOSTLY_WORRIES if share <= WEAK else MIXED
        texts = worry_texts if self.view == MOSTLY_WORRIES else strength_texts or worry_texts
        self.example = _short(texts[0]) if texts else ""


@dataclass
class ThemeRow:
    """One theme across every source, flagged where sources disagree."""

    theme: str
    views: list[SourceView]
    evidence: int  # strengths and worries across every source
    disagree: bool
    summary: str


@dataclass
class Triangulation:
    """The per-theme table, the rule it applies, and the points that carried no theme."""

    sources: list[str]
    themes: list[ThemeRow]
    disagreements: int
    unthemed: int
    rule: str = RULE


def match_theme(text: object, names: list[str]) -> str | None:
    """The theme *text* names, or None: the same words, or (two words or more) all the words of one in the other.

    'Networks and contingency planning' (a dip sample's theme) → 'Contingency planning and safety networks';
    'Management oversight' (a CCR domain) → 'Management oversight and supervision'.
    """
    if not text:
        return None
    wanted = fold(str(text))
    for name in names:
        if fold(name) == wanted:
            return name
    for name in names:
        words, other = set(fold(name).split()), set(wanted.split())
        shorter, longer = sorted((words, other), key=len)
        if len(shorter) >= 2 and shorter <= longer:
            return name
    return None


def triangulate(submissions: Iterable[StoredSubmission], text: Callable[[object], str]) -> Triangulation:
    """Per-theme views of this quarter's *submissions*; *text* redacts a free-text answer for the report."""
    names = [str(getattr(t, "label", t)) for t in theme_list()]
    table: dict[str, dict[str, SourceView]] = {name: {} for name in names}
    texts: dict[tuple[str, str, bool], list[str]] = {}
    unthemed = 0

    def add(theme: str | None, source: str, positive: bool, words: str = "") -> None:
        if theme is None:
            return
        view = table[theme].setdefault(source, SourceView(source))
        view.strengths += positive
        view.worries += not positive
        if words:
            texts.setdefault((theme, source, positive), []).append(words)

    for submission in submissions:
        source = SOURCE_OF_FORM.get(submission.form)
        if source is None or submission.spec is None:
            continue
        unthemed += _pairs(submission, source, names, add, text)
        _graded(submission, source, names, add)
    rows = []
    for name in names:
        views = table[name]
        if not views:
            continue
        for source, view in views.items():
            view.settle(texts.get((name, source, True), []), texts.get((name, source, False), []))
        ordered = [views.get(source) or _empty(source) for source in SOURCES]
        said = {view.view for view in ordered}
        disagree = MOSTLY_STRENGTHS in said and MOSTLY_WORRIES in said
        rows.append(ThemeRow(name, ordered, sum(v.strengths + v.worries for v in ordered), disagree, _summary(name, ordered, disagree)))
    rows.sort(key=lambda row: not row.disagree)  # disagreements first, then the themes in the list's order
    return Triangulation(SOURCES, rows, sum(1 for row in rows if row.disagree), unthemed)


def _empty(source: str) -> SourceView:
    return SourceView(source)


def _pairs(submission: StoredSubmission, source: str, names: list[str], add, text: Callable[[object], str]) -> int:
    """Add every themed strength and worry of *submission*; return how many asked for a theme and had none."""
    unthemed = 0
    for pair in submission.spec.theme_pairs():
        if pair.theme.since > submission.version:
            continue  # an earlier version of the form did not ask for a theme
        answers = submission.groups.get(pair.group.id, []) if pair.group else [submission.values]
        for answer in answers:
            words = answer.get(pair.text.id)
            if not words or not str(words).strip():
                continue
            theme = match_theme(answer.get(pair.theme.id), names)
            unthemed += theme is None
            row = pair.group.by_role(answer) if pair.group else None
            quoted = "" if pair.text.sensitive else text(words).strip()
            add(theme, source, pair.kind_for(row) == "strength", quoted)
    return unthemed


def _graded(submission: StoredSubmission, source: str, names: list[str], add) -> None:
    """Add the graded evidence: CCR domains named as themes, and dip-sample / thematic-audit rows under their theme.

    A row whose own text was themed with the same theme counts once, through its text.
    """
    spec = submission.spec
    for item in spec.role_fields("domain_grade"):
        label = item.label[: -len(" grade")] if item.label.lower().endswith(" grade") else item.label
        grade = submission.values.get(item.id)
        if grade in RANK:
            add(match_theme(label, names), source, grade in GOOD_OR_BETTER)
    theme = match_theme(submission.answer("theme"), names)
    group = spec.role_group("children")
    if theme is None or group is None:
        return
    themed = [pair for pair in spec.theme_pairs() if pair.group is not None and pair.group.id == group.id
              and pair.theme.since <= submission.version]
    for raw in submission.groups.get(group.id, []):
        if any(raw.get(p.text.id) and match_theme(raw.get(p.theme.id), names) == theme for p in themed):
            continue
        row = group.by_role(raw)
        compliant = row.get("compliant")
        grade = row.get("moderated_grade") if row.get("moderated_grade") in RANK else row.get("overall_grade")
        if grade in RANK:
            add(theme, source, grade in GOOD_OR_BETTER)
        elif compliant:
            add(theme, source, str(compliant).casefold() == "yes")


def _summary(theme: str, views: list[SourceView], disagree: bool) -> str:
    strong = [v.source.lower() for v in views if v.view == MOSTLY_STRENGTHS]
    weak = [v.source.lower() for v in views if v.view == MOSTLY_WORRIES]
    if disagree:
        return f"Sources disagree: {', '.join(strong)} mostly strengths; {', '.join(weak)} mostly worries."
    mixed = [v.source.lower() for v in views if v.view == MIXED]
    if strong:
        return f"Mostly strengths ({', '.join(strong)}); no source mostly worries."
    if weak:
        return f"Mostly worries ({', '.join(weak)}); no source mostly strengths."
    if mixed:
        return f"Mixed ({', '.join(mixed)})."
    return "No source records enough on this theme to say."


def _short(words: str) -> str:
    words = " ".join(words.strip().split("\n")[0].split())  # the first point of a box written one point a line
    return words if len(words) <= EXAMPLE_LENGTH else words[: EXAMPLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
