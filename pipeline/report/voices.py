"""What people told us: Head of Service and service-area summaries, feedback, EDI and learning requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec import Catalogue
from ..store import StoredSubmission
from .findings import Answer, question_result
from .practice import percent
from .sources import CollatedPoint, Point, Sourcer, collate

SUMMARY_FORMS = {"hos_summary": "service", "service_summary": "area"}  # form → the role naming its area
INDIVIDUAL_SOURCES = ("Child or young person", "Parent or carer")


@dataclass
class SummaryReturn:
    """A Head of Service or service-area summary received this quarter."""

    form: str
    area: str
    author: str
    completed_on: str
    file: str


@dataclass
class Collated:
    """'What's working well / what are we worried about / what needs to happen', point by point."""

    summaries: list[SummaryReturn] = field(default_factory=list)
    working_well: list[CollatedPoint] = field(default_factory=list)
    worried_about: list[CollatedPoint] = field(default_factory=list)
    needs_to_happen: list[CollatedPoint] = field(default_factory=list)


@dataclass
class ChildFamilyFeedback:
    """Feedback from children, young people, families and the forums (§10)."""

    returns: int
    individual: int
    forums: int
    participants: int
    by_source: list[Answer]
    working_well: list[CollatedPoint] = field(default_factory=list)
    could_be_better: list[CollatedPoint] = field(default_factory=list)
    responses: list[CollatedPoint] = field(default_factory=list)


@dataclass
class StaffFeedback:
    """Feedback from staff: the practitioners' forum and surveys (§11)."""

    returns: int
    respondents: int
    involved_in_qa: int
    involved_percent: float | None
    topics: list[Answer]
    working_well: list[CollatedPoint] = field(default_factory=list)
    worried_about: list[CollatedPoint] = field(default_factory=list)
    needs_to_happen: list[CollatedPoint] = field(default_factory=list)


@dataclass
class EdiForm:
    """Equality, diversity and identity evaluations on one kind of return."""

    form: str
    returns: int
    with_evaluation: int
    statements: list[CollatedPoint] = field(default_factory=list)


@dataclass
class Edi:
    """Section: equality, diversity and identity (§1.6–1.7), from every return that asks."""

    returns: int
    with_evaluation: int
    coverage_percent: float | None
    by_form: list[EdiForm]


def collate_summaries(returns: list[StoredSubmission], sourcer: Sourcer) -> Collated:
    """Every line of every summary's three headings, sourced to its form, author, area and file."""
    collated = Collated()
    lists: dict[str, list[Point]] = {"working_well": [], "worried_about": [], "needs_to_happen": []}
    for submission in sorted(returns, key=lambda s: (s.form, str(s.answer(SUMMARY_FORMS.get(s.form, "")) or "").casefold())):
        area = sourcer.clean(submission.answer(SUMMARY_FORMS.get(submission.form, "")))
        collated.summaries.append(
            SummaryReturn(
                sourcer.title(submission),
                area,
                sourcer.clean(submission.author),
                str(submission.answer("completed_on") or ""),
                sourcer.clean(submission.file),
            )
        )
        for role, points in lists.items():
            points += sourcer.points(submission, role, area, split=True)
    for role, points in lists.items():
        setattr(collated, role, collate(points))
    return collated


def child_family_feedback(catalogue: Catalogue, returns: list[StoredSubmission], sourcer: Sourcer) -> ChildFamilyFeedback:
    """Feedback counted by source, with what was said and what we will do."""
    by_source: list[Answer] = []
    try:
        item = catalogue.get("child_family_feedback").role_field("source")
        if item is not None:
            by_source = [a for a in question_result(item, [s.answer("source") for s in returns]).answers if a.count]
    except KeyError:
        pass
    individual = sum(1 for s in returns if s.answer("source") in INDIVIDUAL_SOURCES)
    result = ChildFamilyFeedback(
        returns=len(returns),
        individual=individual,
        forums=len(returns) - individual,
        participants=sum(int(s.answer("participants") or 0) for s in returns),
        by_source=by_source,
    )
    lists: dict[str, list[Point]] = {"working_well": [], "could_be_better": [], "responses": []}
    for submission in returns:
        area = " · ".join(
            p for p in (sourcer.clean(submission.answer("source")), sourcer.clean(submission.answer("how_gathered"))) if p
        )
        lists["working_well"] += sourcer.points(submission, "working_well", area, split=True)
        lists["could_be_better"] += sourcer.points(submission, "worried_about", area, split=True)
        lists["responses"] += sourcer.points(submission, "response", area, split=True)
    for name, points in lists.items():
        setattr(result, name, collate(points))
    return result


def staff_feedback(catalogue: Catalogue, returns: list[StoredSubmission], sourcer: Sourcer) -> StaffFeedback:
    """Staff feedback: how many took part, how many were involved in QA, what they said."""
    respondents = sum(int(s.answer("respondents") or 0) for s in returns)
    involved = sum(int(s.answer("involved_in_qa") or 0) for s in returns if s.answer("respondents"))
    topics: list[Answer] = []
    try:
        item = catalogue.get("staff_feedback").role_field("topics")
        if item is None:
            raise KeyError("topics")
        chosen = [topic for s in returns for topic in (s.answer("topics") or [])]
        counts = {option: chosen.count(option) for option in item.options}
        topics = [Answer(o, n, percent(n, len(returns))) for o, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]
    except KeyError:
        pass
    result = StaffFeedback(len(returns), respondents, involved, percent(involved, respondents), topics)
    lists: dict[str, list[Point]] = {"working_well": [], "worried_about": [], "needs_to_happen": []}
    for submission in returns:
        area = sourcer.clean(submission.answer("source"))
        for role, points in lists.items():
            points += sourcer.points(submission, role, area, split=True)
    for role, points in lists.items():
        setattr(result, role, collate(points))
    return result


def edi(catalogue: Catalogue, returns: list[StoredSubmission], sourcer: Sourcer) -> Edi:
    """The EDI evaluation from every return whose form asks for one, grouped by form."""
    asks: dict[tuple[str, str | None], bool] = {}
    by_form: dict[str, EdiForm] = {}
    statements: dict[str, list[Point]] = {}
    for submission in returns:
        key = (submission.form, submission.variant)
        if key not in asks:
            try:
                asks[key] = catalogue.get(*key).role_field("edi") is not None
            except KeyError:
                asks[key] = submission.answer("edi") is not None
        if not asks[key]:
            continue
        title = sourcer.title(submission) if not submission.variant else _base_title(catalogue, submission.form, sourcer.title(submission))
        entry = by_form.setdefault(title, EdiForm(title, 0, 0))
        entry.returns += 1
        area = _edi_area(submission, sourcer)
        found = sourcer.points(submission, "edi", area)
        if found:
            entry.with_evaluation += 1
            statements.setdefault(title, []).extend(found)
    for title, entry in by_form.items():
        entry.statements = collate(statements.get(title, []))
    forms = sorted(by_form.values(), key=lambda f: f.form)
    total = sum(f.returns for f in forms)
    done = sum(f.with_evaluation for f in forms)
    return Edi(total, done, percent(done, total), forms)


def _base_title(catalogue: Catalogue, form: str, fallback: str) -> str:
    try:
        return catalogue.get(form).title
    except KeyError:
        return fallback


def _edi_area(submission: StoredSubmission, sourcer: Sourcer) -> str:
    for role in ("area", "service", "team", "theme", "source", "level_of_need"):
        value = sourcer.clean(submission.answer(role))
        if value:
            return value
    return ""


def learning_requests(hos: list[StoredSubmission], staff: list[StoredSubmission], sourcer: Sourcer) -> list[CollatedPoint]:
    """Learning that Heads of Service and staff asked for (§13), one point per line."""
    points: list[Point] = []
    for submission in hos:
        points += sourcer.points(submission, "learning", sourcer.clean(submission.answer("service")), split=True)
    for submission in staff:
        points += sourcer.points(submission, "learning", sourcer.clean(submission.answer("source")), split=True)
    return collate(points)
