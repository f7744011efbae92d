"""Findings from dip samples, thematic audits, observations of practice and supervision audits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..spec import Catalogue, Field
from ..store import StoredSubmission
from .practice import Distribution, percent
from .sources import CollatedPoint, Sourcer, collate

COMPLIANT = ("Yes", "Partly", "No")


@dataclass
class ComplianceCount:
    """Children found compliant (Yes), partly compliant or not compliant with standards."""

    label: str
    total: int
    yes: int
    partly: int
    no: int
    yes_percent: float | None
    partly_percent: float | None
    no_percent: float | None

    @classmethod
    def of(cls, label: str, answers: list[object]) -> ComplianceCount:
        """Count Yes / Partly / No among *answers*."""
        counts = Counter(a for a in answers if a in COMPLIANT)
        total = sum(counts.values())
        return cls(
            label,
            total,
            counts["Yes"],
            counts["Partly"],
            counts["No"],
            percent(counts["Yes"], total),
            percent(counts["Partly"], total),
            percent(counts["No"], total),
        )


@dataclass
class Answer:
    """One option of a question and how many gave it."""

    answer: str
    count: int
    percent: float | None


@dataclass
class QuestionResult:
    """The answers to one closed question across the children (or audits) it was asked about."""

    question: str
    total: int
    answers: list[Answer]


@dataclass
class ChildFinding:
    """What an auditor found for one child (IDs only)."""

    child_id: str
    team: str
    level_of_need: str
    result: str  # Yes/Partly/No or a grade
    finding: str
    theme: str
    auditor: str
    file: str


@dataclass
class ThemeResult:
    """Dip samples or thematic audits on one theme."""

    theme: str
    returns: int
    children: int
    compliance: ComplianceCount | None
    grades: Distribution | None
    questions: list[QuestionResult]


@dataclass
class DipSamples:
    """Section: dip sampling (§5)."""

    samples: int
    children: int
    overall: ComplianceCount
    by_theme: list[ThemeResult]
    by_team: list[ComplianceCount]
    findings: list[ChildFinding]  # children not fully compliant


@dataclass
class ThematicAudits:
    """Section: thematic audits (§8), graded per child."""

    audits: int
    children: int
    overall: Distribution
    by_theme: list[ThemeResult]
    strengths: list[ChildFinding]
    worries: list[ChildFinding]


@dataclass
class Observations:
    """Section: observations of practice (§6); practitioners are not named (§6.7: not to judge)."""

    count: int
    by_nature: list[Answer]
    by_level: list[Answer]
    strengths: list[CollatedPoint] = field(default_factory=list)
    development: list[CollatedPoint] = field(default_factory=list)


@dataclass
class SupervisionAudits:
    """Section: audits of supervision (§7); reported by team, supervisees not named."""

    count: int
    grades: Distribution
    questions: list[QuestionResult]
    strengths: list[CollatedPoint] = field(default_factory=list)
    worries: list[CollatedPoint] = field(default_factory=list)


def question_result(item: Field, answers: list[object]) -> QuestionResult:
    """Count the answers to a choice or yes/no question, in the order of its options."""
    options = list(item.options)
    values = ["Yes" if a is True else "No" if a is False else a for a in answers if a not in (None, "")]
    counts = Counter(values)
    total = sum(counts[o] for o in options)
    return QuestionResult(item.label, total, [Answer(o, counts[o], percent(counts[o], total)) for o in options])


def _theme_questions(catalogue: Catalogue, form: str, variant: str | None, group: str) -> list[Field]:
    # A themed variant's own questions: the closed questions its group (by role) adds to the base form's.
    if not variant:
        return []
    try:
        themed, base = catalogue.get(form, variant).role_group(group), catalogue.get(form).role_group(group)
    except KeyError:
        return []
    if themed is None or base is None:
        return []
    base_ids = {item.id for item in base.fields}
    return [item for item in themed.fields if item.id not in base_ids and item.type in ("choice", "yes_no", "grade")]


def _theme(submission: StoredSubmission, catalogue: Catalogue, clean: Callable[[object], str]) -> str:
    theme = clean(submission.answer("theme")).strip()
    if not theme and submission.variant:
        try:
            theme = catalogue.get(submission.form, submission.variant).theme or ""
        except KeyError:
            theme = submission.variant
    return theme or "No theme given"


def _raw_rows(submission: StoredSubmission, role: str) -> list[dict]:
    # Rows of the group with *role* keyed by field id: a themed variant's own questions have no role.
    group = submission.spec.role_group(role) if submission.spec else None
    return submission.groups.get(group.id, []) if group else []


def _by_theme(
    submissions: list[StoredSubmission], catalogue: Catalogue, clean: Callable[[object], str]
) -> dict[str, list[StoredSubmission]]:
    themes: dict[str, list[StoredSubmission]] = {}
    for submission in submissions:
        themes.setdefault(_theme(submission, catalogue, clean), []).append(submission)
    return themes


def _theme_question_results(catalogue: Catalogue, returns: list[StoredSubmission], form: str) -> list[QuestionResult]:
    results: list[QuestionResult] = []
    seen: set[tuple[str | None, str]] = set()
    for submission in returns:
        for item in _theme_questions(catalogue, form, submission.variant, "children"):
            if (submission.variant, item.id) in seen:
                continue
            seen.add((submission.variant, item.id))
            answers = [row.get(item.id) for s in returns if s.variant == submission.variant for row in _raw_rows(s, "children")]
            results.append(question_result(item, answers))
    return results


def dip_samples(
    catalogue: Catalogue, returns: list[StoredSubmission], clean: Callable[[object], str], text: Callable[[object], str]
) -> DipSamples:
    """Compliance across dip samples, by theme and team, and the findings for children not fully compliant."""
    rows = [(s, row) for s in returns for row in s.rows("children")]
    themes = []
    for theme, theme_returns in _by_theme(returns, catalogue, clean).items():
        answers = [row.get("compliant") for s in theme_returns for row in s.rows("children")]
        themes.append(
            ThemeResult(
                theme,
                len(theme_returns),
                len(answers),
                ComplianceCount.of(theme, answers),
                None,
                _theme_question_results(catalogue, theme_returns, "dip_sample"),
            )
        )
    teams: dict[str, list[object]] = {}
    for _, row in rows:
        teams.setdefault(clean(row.get("team")) or "Team not given", []).append(row.get("compliant"))
    findings = [
        ChildFinding(
            clean(row.get("child_id")),
            clean(row.get("team")),
            clean(row.get("level_of_need")),
            str(row.get("compliant")),
            text(row.get("finding")),
            _theme(s, catalogue, clean),
            clean(s.answer("auditor") or s.author),
            clean(s.file),
        )
        for s, row in rows
        if row.get("compliant") in ("Partly", "No")
    ]
    findings.sort(key=lambda f: (f.result != "No", f.team.casefold(), f.child_id))
    return DipSamples(
        samples=len(returns),
        children=len(rows),
        overall=ComplianceCount.of("All dip samples", [row.get("compliant") for _, row in rows]),
        by_theme=sorted(themes, key=lambda t: t.theme.casefold()),
        by_team=[ComplianceCount.of(team, answers) for team, answers in sorted(teams.items(), key=lambda kv: kv[0].casefold())],
        findings=findings,
    )


def thematic_audits(
    catalogue: Catalogue, returns: list[StoredSubmission], clean: Callable[[object], str], text: Callable[[object], str]
) -> ThematicAudits:
    """Grades per child across thematic audits, by theme, with strengths and worries."""
    rows = [(s, row) for s in returns for row in s.rows("children")]
    themes = []
    for theme, theme_returns in _by_theme(returns, catalogue, clean).items():
        grades = [row.get("overall_grade") for s in theme_returns for row in s.rows("children")]
        themes.append(
            ThemeResult(
                theme,
                len(theme_returns),
                len(grades),
                None,
                Distribution.of(theme, grades),
                _theme_question_results(catalogue, theme_returns, "thematic_audit"),
            )
        )

    def finding(s: StoredSubmission, row: dict, key: str) -> ChildFinding:
        return ChildFinding(
            clean(row.get("child_id")),
            clean(row.get("team")),
            clean(row.get("level_of_need")),
            str(row.get("overall_grade") or ""),
            text(row.get(key)),
            _theme(s, catalogue, clean),
            clean(s.answer("auditor") or s.author),
            clean(s.file),
        )

    return ThematicAudits(
        audits=len(returns),
        children=len(rows),
        overall=Distribution.of("All thematic audits", [row.get("overall_grade") for _, row in rows]),
        by_theme=sorted(themes, key=lambda t: t.theme.casefold()),
        strengths=[finding(s, row, "strengths") for s, row in rows if row.get("strengths")],
        worries=[finding(s, row, "worries") for s, row in rows if row.get("worries")],
    )


def observations(catalogue: Catalogue, returns: list[StoredSubmission], sourcer: Sourcer) -> Observations:
    """Observations by nature and level of need, with strengths and areas for development."""
    result = Observations(count=len(returns), by_nature=[], by_level=[])
    try:
        spec = catalogue.get("observation")
    except KeyError:
        return result
    for role, target in (("nature", "by_nature"), ("level_of_need", "by_level")):
        item = spec.role_field(role)
        if item is not None:
            counted = question_result(item, [s.answer(role) for s in returns])
            setattr(result, target, [a for a in counted.answers if a.count])
    strengths, development = [], []
    for submission in returns:
        area = " · ".join(
            p for p in (sourcer.clean(submission.answer("nature")), sourcer.clean(submission.answer("level_of_need"))) if p
        )
        strengths += sourcer.points(submission, "strengths", area, split=True)
        development += sourcer.points(submission, "development", area, split=True)
    result.strengths, result.development = collate(strengths), collate(development)
    return result


def supervision_audits(catalogue: Catalogue, returns: list[StoredSubmission], sourcer: Sourcer) -> SupervisionAudits:
    """Supervision audit grades, the quality questions, and what is working and worrying, by team."""
    grades = Distribution.of("Supervision audits", [s.answer("overall_grade") for s in returns])
    result = SupervisionAudits(count=len(returns), grades=grades, questions=[])
    try:
        spec = catalogue.get("supervision_audit")
    except KeyError:
        return result
    for item in spec.fields():
        if item.type in ("choice", "yes_no") and item.role != "supervisee_role":
            result.questions.append(question_result(item, [s.values.get(item.id) for s in returns]))
    strengths, worries = [], []
    for submission in returns:
        area = sourcer.clean(submission.answer("team"))
        strengths += sourcer.points(submission, "strengths", area, split=True)
        worries += sourcer.points(submission, "development", area, split=True)
    result.strengths, result.worries = collate(strengths), collate(worries)
    return result
