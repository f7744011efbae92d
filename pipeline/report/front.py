"""Page one: what we know, how we know it and what we will do (Ofsted's three questions), and the PSW's commentary.

Every sentence is generated from the quarter's figures and carries the evidence behind it (how many
reviews, children or returns). The decisions for DLT are drawn from the weakest measures against
their targets, the Heads of Service's "what needs to happen", inadequate practice and overdue
actions. The Principal Social Worker's commentary is read from a small Word or text file the admin
fills in (admin/psw-commentary-<quarter>.docx or .txt) and included as written, names of children
replaced by their IDs.

Other sections add what they know with one line: append a function to :data:`KNOWN_FROM` that
takes the model and returns :class:`Statement` objects (impact, triangulation, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .outline import ref
from .summary import pct

if TYPE_CHECKING:
    from .model import ReportModel
    from .trends import QualityTargets

COMMENTARY_STEM = "psw-commentary-{quarter}"
MAX_DECISIONS = 5


@dataclass
class Statement:
    """One sentence of page one, with the evidence count behind it ('21 reviews, 16 moderated')."""

    text: str
    evidence: str = ""


@dataclass
class Commentary:
    """The Principal Social Worker's commentary, as written, and the file it came from."""

    paragraphs: list[str] = field(default_factory=list)
    file: str = ""  # where the admin writes it (relative to the workspace)
    found: bool = False


@dataclass
class Front:
    """Page one of the report."""

    judgement: str
    evidence: str  # the counts behind the judgement
    know: list[Statement]
    how: list[Statement]
    will_do: list[Statement]
    commentary: Commentary
    supervision: str = ""  # the supervision audits' grade reconciled with their quality questions (section 5)


# Extra 'what we know' statements from other sections (impact beside grade, triangulation per theme …).
KNOWN_FROM: list[Callable[[ReportModel], list[Statement]]] = []


def commentary_paths(admin: Path, quarter: str) -> list[Path]:
    """Where the PSW commentary for *quarter* may be: a Word file, else a text file."""
    stem = COMMENTARY_STEM.format(quarter=quarter)
    return [admin / f"{stem}.docx", admin / f"{stem}.txt"]


def read_commentary(admin: Path, quarter: str, clean_text: Callable[[object], str]) -> Commentary:
    """The commentary file's paragraphs, as written (children's names replaced); an empty Commentary if there is none."""
    paths = commentary_paths(admin, quarter)
    for path in paths:
        if not path.is_file():
            continue
        if path.suffix == ".docx":
            from docx import Document

            try:
                lines = [p.text for p in Document(str(path)).paragraphs]
            except Exception as err:  # a damaged or half-saved file: say which, and carry on without it
                return Commentary([f"(The commentary in admin/{path.name} could not be read: {type(err).__name__}. "
                                   "Open it in Word and save it again as .docx.)"], f"admin/{path.name}", False)
        else:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        paragraphs = [clean_text(line).strip() for line in lines]
        return Commentary([p for p in paragraphs if p], f"admin/{path.name}", True)
    return Commentary([], f"admin/{paths[0].name}", False)


def write_commentary(admin: Path, quarter: str, paragraphs: list[str]) -> Path | None:
    """A Word commentary file for *quarter* holding *paragraphs* (the demo's); an existing one is never replaced."""
    path = commentary_paths(admin, quarter)[0]
    if any(p.exists() for p in commentary_paths(admin, quarter)):
        return None
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    admin.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _judgement_word(good: float | None, inadequate: float | None, targets: QualityTargets) -> str:
    if good is None:
        return ""
    good_met = good >= targets.good_or_better_min_percent
    inadequate_met = inadequate is not None and inadequate <= targets.inadequate_max_percent
    if good_met and inadequate_met:
        return "meets our standard"
    if good < targets.good_or_better_min_percent / 2 or (inadequate or 0) > 2 * targets.inadequate_max_percent:
        return "is well below our standard"
    return "is below our standard"


def judgement(model: ReportModel, targets: QualityTargets) -> str:
    """The overall judgement of practice quality this quarter, in words, with the counts behind it."""
    practice = model.practice
    overall = practice.overall
    if not overall.total:
        return f"No collaborative case reviews were returned for {model.quarter}, so there is no judgement of practice quality."
    inadequate = overall.count("Inadequate")
    inadequate_pct = 100 * inadequate / overall.total
    word = _judgement_word(overall.good_or_better_percent, inadequate_pct, targets)
    text = (
        f"The quality of practice in {model.quarter} {word}: {overall.good_or_better} of {overall.total} children's "
        f"practice reviewed ({pct(overall.good_or_better_percent)}) was good or better (target at least "
        f"{targets.good_or_better_min_percent:.0f}%) and {inadequate} ({inadequate_pct:.0f}%) inadequate (target no more "
        f"than {targets.inadequate_max_percent:.0f}%), on the moderated grade where there is one."
    )
    line = model.trends.lines[0] if model.trends.lines else None
    if line is not None and len(line.points) >= 2 and line.points[-2].n:
        before = line.points[-2]
        text += f" That is {line.change} from {before.percent:.0f}% of {before.n} in {before.quarter}."
    elif line is not None:
        text += " There is no previous quarter to compare with."
    return text


def _known(model: ReportModel, targets: QualityTargets) -> list[Statement]:
    found: list[Statement] = []
    practice = model.practice
    if practice.reviews:
        rated = [d for d in practice.domains if d.total]
        if rated:
            best = max(rated, key=lambda d: d.good_or_better_percent or 0)
            worst = min(rated, key=lambda d: d.good_or_better_percent or 0)
            if best is not worst and best.good_or_better_percent != worst.good_or_better_percent:
                found.append(Statement(
                    f"Of the {len(rated)} domains, {best.label.lower()} was strongest ({pct(best.good_or_better_percent)} good or "
                    f"better) and {worst.label.lower()} weakest ({pct(worst.good_or_better_percent)}).",
                    f"{worst.total} reviews, reviewers' domain grades",
                ))
        over_year = over_the_year(model)
        if over_year is not None:
            found.append(over_year)
        clear = [line for line in model.trends.lines[2:] if line.change.startswith("clear")]
        for line in clear[:1]:
            found.append(Statement(line.sentence, f"n={line.latest.n}"))
    dips = model.dip_samples
    if dips.children:
        teams = [t for t in dips.by_team if t.total]
        lowest = min(teams, key=lambda t: t.yes_percent or 0) if len(teams) > 1 else None
        text = f"Dip sampling found {pct(dips.overall.yes_percent)} of children fully compliant with practice standards"
        if lowest is not None:
            text += f"; lowest in {lowest.label} ({pct(lowest.yes_percent)} of {lowest.total})"
        found.append(Statement(text + ".", f"{dips.children} children, {dips.samples} dip samples"))
    thematic = model.thematic
    if thematic.children:
        themes = ", ".join(f"'{t.theme}'" for t in thematic.by_theme)
        found.append(Statement(
            f"The thematic audit ({themes}) found {pct(thematic.overall.good_or_better_percent)} of children's practice "
            "good or better.",
            f"{thematic.children} children, {thematic.audits} audit returns",
        ))
    found += supervision_statements(model)
    found += _most_raised(model)
    for extra in KNOWN_FROM:
        found += extra(model)
    return found


def _most_raised(model: ReportModel) -> list[Statement]:
    """The area for development observers noted most, and the worry most Heads of Service share (two or more sources)."""
    found = []
    development = max(model.observations.development, key=lambda p: p.count, default=None)
    if development is not None and development.count >= 2:
        found.append(Statement(f"Observations of practice most often noted for development: "
                               f"'{development.text.rstrip('.')}'.", f"{development.count} of {model.observations.count} observations"))
    worries = [(len({s.author for s in p.sources}), p) for p in model.collated.worried_about]
    people, worry = max(worries, key=lambda item: item[0], default=(0, None))
    if worry is not None and people >= 2:
        found.append(Statement(f"Heads of Service and service areas most often worry that "
                               f"{worry.text[0].lower()}{worry.text[1:].rstrip('.')}.", f"raised by {people} people"))
    return found


def over_the_year(model: ReportModel) -> Statement | None:
    """The overall good-or-better and inadequate shares from the first quarter shown to this one (three or more quarters)."""
    from .trends import change_between

    lines = model.trends.lines[:2] if model.trends else []
    if len(lines) < 2 or len(lines[0].points) < 3:
        return None
    parts = []
    for line in lines:
        first, now = line.points[0], line.points[-1]
        if not first.n or not now.n:
            return None
        verdict = change_between(first.count, first.n, now.count, now.n)[0]
        parts.append(f"{line.measure} {first.percent:.0f}% → {now.percent:.0f}% ({verdict})")
    first, now = lines[0].points[0], lines[0].points[-1]
    return Statement(f"Over {len(lines[0].points)} quarters ({first.quarter} to {now.quarter}), reviews graded "
                     f"{parts[0]}; {parts[1]}.", f"n={first.n} and {now.n}; {ref('trends')}")


def supervision_statements(model: ReportModel) -> list[Statement]:
    """Supervision audits' grade, reconciled with any quality question most audits answered No or Partly."""
    supervision = model.supervision
    if not supervision.count:
        return []
    text = f"Supervision audits graded {pct(supervision.grades.good_or_better_percent)} good or better"
    reconciled = reconciliation(model)
    return [Statement(f"{text}; {reconciled[0].lower()}{reconciled[1:]}" if reconciled else text + ".", f"{supervision.count} audits")]


def reconciliation(model: ReportModel) -> str:
    """'Yet 6 of 10 audits answered No or Partly to …' when most audits fell short on one question, else ''."""
    short = reconciling_question(model)
    if short is None:
        return ""
    question, count, total = short
    return (f"Yet {count} of {total} audits answered No or Partly to '{question.rstrip('?')}': the grades alone overstate "
            "the quality of supervision.")


def reconciling_question(model: ReportModel) -> tuple[str, int, int] | None:
    """The supervision question answered No or Partly most often, when at least half the audits did so."""
    worst = None
    for question in model.supervision.questions:
        short = sum(a.count for a in question.answers if a.answer in ("No", "Partly"))
        if question.total and 2 * short >= question.total and (worst is None or short > worst[1]):
            worst = (question.question, short, question.total)
    return worst


def _how(model: ReportModel, targets: QualityTargets) -> list[Statement]:
    how: list[Statement] = []
    practice = model.practice
    if practice.reviews:
        share = (
            f", {100 * practice.reviews / targets.open_cases:.1f}% of the {targets.open_cases:,} children with an open case"
            if targets.open_cases else ""
        )
        moderation = practice.moderation
        how.append(Statement(
            f"Collaborative case reviews of {practice.reviews} children{share}, across {practice.teams_covered} team(s) "
            f"and {practice.levels_covered} of {practice.levels_total} levels of need; {moderation.moderated} were moderated "
            f"and the moderator agreed with the reviewer's grade in {moderation.agreed} ({pct(moderation.agreed_percent)}).",
            ref("practice"),
        ))
    parts = []
    if model.dip_samples.samples:
        parts.append(f"{model.dip_samples.children} children dip-sampled ({model.dip_samples.samples} samples)")
    if model.thematic.audits:
        parts.append(f"{model.thematic.children} children in thematic audits")
    if model.observations.count:
        parts.append(f"{model.observations.count} observations of practice")
    if model.supervision.count:
        parts.append(f"{model.supervision.count} supervision audits")
    if model.collated.summaries:
        parts.append(f"{len(model.collated.summaries)} Head of Service and service-area summaries")
    feedback = model.children_families.returns + model.staff.returns
    if feedback:
        parts.append(f"{feedback} feedback returns from children, families, forums and staff")
    if parts:
        how.append(Statement(_join(parts).capitalize() + ".", f"sections {ref('findings').split()[1]}–{ref('feedback').split()[1]}"))
    activity = model.activity
    if activity.lines:
        red = f"{activity.red} red" if activity.red else "none red"
        how.append(Statement(
            f"Against the framework's minimum activity, {activity.green} of {len(activity.lines)} activities are green, "
            f"{activity.amber} amber and {red} overall.",
            ref("activity"),
        ))
    return how


def decisions(model: ReportModel, targets: QualityTargets) -> list[Statement]:
    """The three to five decisions or priorities for DLT, drawn from the evidence."""
    found: list[Statement] = []
    concerns = model.practice.concerns
    if concerns:
        who = "the one child" if len(concerns) == 1 else f"each of the {len(concerns)} children"
        found.append(Statement(
            f"Assure DLT that {who} whose practice was graded inadequate was safe at the time, and that "
            f"{'the' if len(concerns) == 1 else 'their'} plan has been acted on and a re-review date set.",
            ref("practice"),
        ))
    below = [d for d in model.practice.domains if d.total and (d.good_or_better_percent or 0) < targets.good_or_better_min_percent]
    for domain in sorted(below, key=lambda d: d.good_or_better_percent or 0)[:2]:
        found.append(Statement(
            f"Improve {domain.label.lower()}: {pct(domain.good_or_better_percent)} good or better against a target of at "
            f"least {targets.good_or_better_min_percent:.0f}%.",
            f"{domain.total} reviews",
        ))
    for point in needs_to_happen(model)[: max(1, MAX_DECISIONS - len(found) - 1)]:
        found.append(Statement(point[0], point[1]))
    if model.actions.overdue:
        teams: dict[str, int] = {}
        for action in model.actions.overdue_actions:
            teams[action.team or "Team not given"] = teams.get(action.team or "Team not given", 0) + 1
        most = max(teams.items(), key=lambda kv: kv[1]) if teams else None
        detail = f" (most in {most[0]}: {most[1]})" if most else ""
        found.append(Statement(f"Clear the {model.actions.overdue} overdue actions{detail}.", ref("actions")))
    return found[:MAX_DECISIONS]


def needs_to_happen(model: ReportModel) -> list[tuple[str, str]]:
    """The Heads of Service's 'what needs to happen' points, most people first (text, evidence)."""
    ranked = []
    for point in model.collated.needs_to_happen:
        people = {source.author for source in point.sources}
        ranked.append((-len(people), -point.count, point.text.rstrip(".") + ".", f"raised by {len(people)} "
                       f"{'person' if len(people) == 1 else 'people'}"))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [(text, evidence) for _, _, text, evidence in ranked]


def build_front(model: ReportModel, targets: QualityTargets, commentary: Commentary | None = None) -> Front:
    """Page one from the model (built last, from the sections' figures)."""
    return Front(
        judgement=judgement(model, targets),
        evidence=f"{model.practice.reviews} collaborative case reviews, {model.practice.moderation.moderated} of them moderated"
        if model.practice.reviews else "",
        know=_known(model, targets),
        how=_how(model, targets),
        will_do=decisions(model, targets),
        commentary=commentary or Commentary(),
        supervision=reconciliation(model),
    )


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
