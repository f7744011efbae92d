"""What each role owes in person (the `rules:` of targets.yaml) and the feedback streams, each its own line.

A rule is one cell of Appendix 6: who (roster roles) owes how many of an activity a quarter or a
month, and the framework reference said beside every line. The streams are the §2.8 partner areas
and the complaints team's summary, the §10.3 children's forums and the §11.2 practitioners' forum
summary and quarterly survey: each source is RAG-rated on a line of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ..roles import fold
from ..targets import Rule
from .lines import ACTIVITIES, RULE_LINES, PersonLine, author, names
from .lines import activity_date as _date

if TYPE_CHECKING:
    from ..store import StoredSubmission
    from .minimums import _Minimums



def person_rules(m: _Minimums) -> None:
    """Per-person lines for every rule, and one activity line for each kind of rule (thematic, CCR, ASYE supervision)."""
    by_line: dict[str, list[tuple[Rule, list[PersonLine]]]] = defaultdict(list)
    skipped: dict[str, list[str]] = defaultdict(list)
    for rule in m.targets.rules:
        if rule.minimum <= 0:
            continue
        if m.forms is not None and rule.form not in m.forms:
            skipped[RULE_LINES[rule.activity]].append(
                f"{_rule_text(rule)} ({rule.reference}): not expected until the form '{rule.form}' is in form_templates/")
            continue
        if rule.needs and not m.with_role(*rule.needs):
            skipped[RULE_LINES[rule.activity]].append(
                f"{_rule_text(rule)} ({rule.reference}): not expected, as no {names([str(r) for r in rule.needs], 'or')} "
                f"is on the roster")
            continue
        by_line[RULE_LINES[rule.activity]].append((rule, [_person_line(m, rule, person) for person in m.with_role(*rule.who)]))
    for key in dict.fromkeys(RULE_LINES.values()):
        rules = by_line.get(key, [])
        lines = [line for _, people in rules for line in people]
        parts = [f"{_rule_text(rule)} ({rule.reference}): "
                 + (f"{sum(not p.outstanding for p in people)} of {len(people)} met" if people else
                    f"no {names([str(r) for r in rule.who], 'or')} on the roster") for rule, people in rules]
        if not rules and not skipped.get(key):
            continue
        explanation = "; ".join(parts + skipped.get(key, [])) + "."
        m.per_person_line(key, m.this_quarter, lines, sum(line.done for line in lines), explanation)


def _person_line(m: _Minimums, rule: Rule, person) -> PersonLine:
    mine = [s for s in m.returns(rule.form, m.this_quarter) if fold(author(s, *rule.by)) == fold(person.name)]
    unit = rule.unit
    if not rule.monthly:
        done = _count(rule, mine)
        note = f"{done} of {rule.minimum} {_unit(unit, rule.minimum)} in {m.quarter.label}" + (
            "" if done >= rule.minimum else f"; {rule.minimum - done} more by {m.quarter.end:%d/%m/%Y}")
        return m.add_person(RULE_LINES[rule.activity], person, None, m.this_quarter, rule.minimum, done,
                            f"{note} ({rule.reference}).", rule.id, rule.reference)
    months = _months(m.quarter.start, m.quarter.end)
    per_month: Counter[dt.date] = Counter()
    undated = 0
    for submission in mine:
        when = _date(submission)
        if when is not None and when.replace(day=1) in months:
            per_month[when.replace(day=1)] += 1
        else:
            undated += 1
    done = 0
    for month in months:  # an undated return fills the earliest month still short
        filled = min(rule.minimum, per_month[month] + undated)
        undated -= max(0, filled - per_month[month])
        per_month[month] = max(per_month[month], filled)
        done += min(rule.minimum, per_month[month])
    detail = ", ".join(f"{month:%B} {min(per_month[month], rule.minimum)} of {rule.minimum}" for month in months)
    required = rule.minimum * len(months)
    return m.add_person(RULE_LINES[rule.activity], person, None, m.this_quarter, required, done,
                        f"{detail} ({rule.minimum} {unit} a month; {rule.reference}).", rule.id, rule.reference)


def _count(rule: Rule, returns: list[StoredSubmission]) -> int:
    """What the rule counts in *returns*: children for a CCR, themes for a thematic audit, else returns."""
    if rule.activity == "ccr":
        return len({fold(str(s.child_id or s.answer("child_id") or f"#{s.id}")) for s in returns})
    if rule.activity == "thematic_audit":
        return len({fold(str(s.answer("theme") or s.variant or "")) for s in returns})
    return len(returns)


def _rule_text(rule: Rule) -> str:
    who = names([str(role) for role in rule.who], "and")
    every = "a month" if rule.monthly else "a quarter"
    return f"{who}, {rule.minimum} {_unit(rule.unit, rule.minimum)} {every} each"


def _unit(unit: str, count: int) -> str:
    """'children' / 'child', 'audits' / 'audit'."""
    if count == 1:
        return "child" if unit == "children" else unit.rstrip("s")
    return unit



def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def feedback_streams(m: _Minimums) -> None:
    """One RAG line per required feedback source and per §2.8 area: each is expected every quarter."""
    targets = m.targets
    streams = [("forum_feedback", "source", targets.forum_feedback_per_quarter, targets.forum_sources, "§10.3–10.4"),
               ("staff_feedback", "source", targets.staff_feedback_per_quarter, targets.staff_feedback_sources, "§11.2"),
               ("service_area", "area", targets.service_area_returns_per_quarter, targets.service_areas, "§2.8")]
    for key, role, minimum, sources, section in streams:
        form = ACTIVITIES[key][2]
        found = Counter(fold(str(s.answer(role) or "")) for s in m.returns(form, m.this_quarter))
        for source in sources:
            received = found[fold(source)]
            explanation = (f"{minimum} a quarter from {source} ({section}). "
                           + (f"{received} received for {m.quarter.label}." if received else
                              f"None received yet for {m.quarter.label}; due by {m.quarter.end:%d/%m/%Y}."))
            m.add_line(f"{key}:{source}", m.this_quarter, minimum, received, explanation,
                       activity=f"{ACTIVITIES[key][0]}: {source}")
