"""Choosing the children (framework §5, §9 and Appendix 4): a CCR sample, or each manager's dip sample.

A CCR sample spreads across levels of need and teams: each (level of need, team) stratum gets at
least one child where the size allows, the rest in proportion to its eligible children (largest
share first), unless qa.yaml sets quotas per level of need. Children reviewed, dip-sampled or issued
a CCR in the months before (sample_exclude_months) are left out, from the store, by child ID.
Children whose last CCR graded them Requires improvement or Inadequate but bordering Good (or listed
by the admin) are taken first, up to sample_bordering_good_percent of the sample. Every random choice
comes from ``random.Random(seed)`` over children sorted by ID, so the same extract, store and seed
give the same sample; the sampling frame records all of it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from .admin import Person
from .caseload import Caseload, Child
from .roles import fold
from .spec import Catalogue
from .store import Store, bind

CROSS_SAMPLE = "Cross-sample"
BORDERING_GOOD = "Previously Requires improvement or Inadequate, bordering Good"
LOW_GRADES = ("Requires improvement", "Inadequate")


@dataclass(frozen=True)
class Exclusion:
    """A child in the extract left out of the sample, and why (never their name)."""

    child_id: str
    reason: str


@dataclass(frozen=True)
class Stratum:
    """One level of need × team: children eligible, and how many were drawn (by stratified allocation)."""

    level_of_need: str
    team: str
    eligible: int
    drawn: int


@dataclass(frozen=True)
class Pick:
    """A child drawn: why (cross-sample or bordering Good), and for a dip sample the manager who samples them."""

    child: Child
    reason: str = CROSS_SAMPLE
    auditor: str = ""


@dataclass
class Drawn:
    """The sample and what the frame must show about how it was drawn."""

    picks: list[Pick]
    exclusions: list[Exclusion]
    strata: list[Stratum]
    bordering_candidates: int = 0
    bordering_cap: int = 0
    notes: list[str] = field(default_factory=list)


# --- history from the store -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """When a child was last reviewed, dip-sampled or issued a CCR, and how (for the exclusion reason)."""

    on: dt.date
    how: str


def _day(value: object, fallback: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return dt.date.fromisoformat(fallback[:10])


def history(store: Store, catalogue: Catalogue) -> tuple[dict[str, Seen], set[str]]:
    """Each child's latest review, dip sample or issued CCR (by folded ID), and the children bordering Good.

    A child is bordering Good when their latest CCR's grade of record (the moderated grade where there
    is one) is Requires improvement or Inadequate and the review judged them bordering Good.
    """
    seen: dict[str, Seen] = {}

    def note(child_id: object, on: dt.date, how: str) -> None:
        key = fold(str(child_id or ""))
        if key and (key not in seen or seen[key].on < on):
            seen[key] = Seen(on, how)

    latest_ccr: dict[str, tuple[dt.date, object, object]] = {}
    for submission in bind(store.submissions(), catalogue):
        on = _day(submission.answer("completed_on"), submission.received_at)
        if submission.form == "ccr":
            child = submission.answer("child_id")
            note(child, on, "reviewed (CCR)")
            grade = submission.answer("moderated_grade") or submission.answer("overall_grade")
            key = fold(str(child or ""))
            if key and (key not in latest_ccr or latest_ccr[key][0] <= on):
                latest_ccr[key] = (on, grade, submission.answer("bordering_good"))
        elif submission.form == "dip_sample":
            for row in submission.rows("children"):
                note(row.get("child_id"), on, "dip-sampled")
    for issued in store.issued():
        if issued.child_id and issued.form == "ccr":
            note(issued.child_id, _day(issued.issued_at, issued.issued_at), "issued for a CCR")
    bordering = {key for key, (_, grade, judged) in latest_ccr.items() if grade in LOW_GRADES and judged == "Yes"}
    return seen, bordering


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day *months* earlier (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def recent(seen: dict[str, Seen], drawn_on: dt.date, months: int) -> dict[str, Seen]:
    """The children seen on or after *months* before *drawn_on* (none when months is 0)."""
    if months <= 0:
        return {}
    since = months_before(drawn_on, months)
    return {key: when for key, when in seen.items() if when.on >= since}


# --- allocation ----------------------------------------------------------------------------------------


def allocate(counts: dict[tuple[str, str], int], size: int, rng: random.Random) -> dict[tuple[str, str], int]:
    """How many to draw from each stratum: one each where the size allows, the rest in proportion.

    When there are more strata than places, the places go first to strata that bring a level of need
    or a team not yet in the sample (the larger stratum, then chance, breaking ties).
    """
    strata = sorted(key for key, count in counts.items() if count > 0)
    total = sum(counts[key] for key in strata)
    size = min(size, total)
    given = dict.fromkeys(strata, 0)
    if len(strata) <= size:
        given = dict.fromkeys(strata, 1)
    else:
        levels: set[str] = set()
        teams: set[str] = set()
        order = {key: rng.random() for key in strata}
        for _ in range(size):
            best = max((key for key in strata if not given[key]),
                       key=lambda key: ((key[0] not in levels) + (key[1] not in teams), counts[key], order[key]))
            given[best] = 1
            levels.add(best[0])
            teams.add(best[1])
    for _ in range(size - sum(given.values())):
        # The stratum furthest below its proportional share takes the next place.
        key = max((key for key in strata if given[key] < counts[key]),
                  key=lambda key: (size * counts[key] / total - given[key], counts[key], key))
        given[key] += 1
    return given


def allocate_with_quotas(counts: dict[tuple[str, str], int], size: int, quotas: dict[str, int],
                         rng: random.Random) -> dict[tuple[str, str], int]:
    """:func:`allocate` with a fixed number for some levels of need (qa.yaml sample_quotas), the rest shared out."""
    quotas = {fold(level): number for level, number in quotas.items()}
    given: dict[tuple[str, str], int] = {}
    left = size
    for level in sorted({key[0] for key in counts if fold(key[0]) in quotas}):
        part = {key: count for key, count in counts.items() if key[0] == level}
        share = allocate(part, min(quotas[fold(level)], left), rng)
        given |= share
        left -= sum(share.values())
    rest = {key: count for key, count in counts.items() if fold(key[0]) not in quotas}
    return given | allocate(rest, max(left, 0), rng)


def draw(children: list[Child], size: int, rng: random.Random, quotas: dict[str, int] | None = None,
         ) -> tuple[list[Child], list[Stratum]]:
    """A stratified random sample of *children* (sorted by ID first, so row order does not matter)."""
    groups: dict[tuple[str, str], list[Child]] = defaultdict(list)
    for child in sorted(children, key=lambda c: (fold(c.child_id), c.child_id)):
        groups[(child.level_of_need, child.team)].append(child)
    counts = {key: len(members) for key, members in groups.items()}
    shares = allocate_with_quotas(counts, size, quotas, rng) if quotas else allocate(counts, size, rng)
    picked: list[Child] = []
    strata = []
    for key in sorted(groups):
        chosen = rng.sample(groups[key], shares.get(key, 0))
        picked += sorted(chosen, key=lambda c: fold(c.child_id))
        strata.append(Stratum(key[0], key[1], counts[key], len(chosen)))
    return picked, strata


# --- the two samples ---------------------------------------------------------------------------------


def eligible(caseload: Caseload, seen: dict[str, Seen], keep: set[str] = frozenset(),
             ) -> tuple[list[Child], list[Exclusion]]:
    """The extract's children less those seen recently (each excluded with its reason); *keep* are never excluded."""
    children, exclusions = [], []
    for child in caseload.children:
        when = seen.get(fold(child.child_id))
        if when is not None and fold(child.child_id) not in keep:
            exclusions.append(Exclusion(child.child_id, f"{when.how} on {when.on:%d/%m/%Y}"))
        else:
            children.append(child)
    return children, exclusions


def draw_ccr(caseload: Caseload, seen: dict[str, Seen], bordering: set[str], size: int, percent: int,
             quotas: dict[str, int], rng: random.Random) -> Drawn:
    """A CCR sample of *size*: bordering-Good children first (up to *percent* of it), then a stratified draw."""
    in_extract = caseload.by_id()
    candidates = sorted((in_extract[key] for key in bordering if key in in_extract), key=lambda c: fold(c.child_id))
    notes = [f"{child_id} is listed as bordering Good but is not in the caseload extract (case closed?)."
             for child_id in sorted(key for key in bordering if key not in in_extract)]
    cap = size * percent // 100
    chosen = rng.sample(candidates, min(cap, len(candidates)))
    chosen_ids = {fold(child.child_id) for child in chosen}
    children, exclusions = eligible(caseload, seen, keep=chosen_ids)
    children = [child for child in children if fold(child.child_id) not in chosen_ids]
    picked, strata = draw(children, size - len(chosen), rng, quotas)
    picks = [Pick(child, BORDERING_GOOD) for child in sorted(chosen, key=lambda c: fold(c.child_id))]
    picks += [Pick(child) for child in picked]
    if len(picks) < size:
        notes.append(f"Only {len(picks)} children could be chosen (the others are left out, see the frame): the "
                     f"sample has {len(picks)} of {size}.")
    return Drawn(picks, exclusions, strata, len(candidates), cap, notes)


def own_teams(auditor: Person, roster: list[Person]) -> set[str]:
    """The teams of *auditor* and of everyone below them on the roster (folded)."""
    teams, below, queue = {fold(auditor.team)} if auditor.team else set(), set(), [auditor.name]
    while queue:
        manager = fold(queue.pop())
        for person in roster:
            if person.line_manager and fold(person.line_manager) == manager and fold(person.name) not in below:
                below.add(fold(person.name))
                queue.append(person.name)
                if person.team:
                    teams.add(fold(person.team))
    return teams


def draw_dip(caseload: Caseload, seen: dict[str, Seen], auditors: list[Person], roster: list[Person], size: int,
             rng: random.Random) -> Drawn:
    """*size* children for each auditing manager from their own teams (a child goes to one manager only)."""
    children, exclusions = eligible(caseload, seen)
    folded = [(child, fold(child.child_id), fold(child.team), fold(child.manager)) for child in children]  # once each
    taken: set[str] = set()
    picks: list[Pick] = []
    strata: list[Stratum] = []
    notes = []
    for auditor in auditors:
        teams, name = own_teams(auditor, roster), fold(auditor.name)
        pool = [child for child, key, team, manager in folded if key not in taken and (team in teams or manager == name)]
        picked, parts = draw(pool, size, rng)
        if len(picked) < size:
            notes.append(f"{auditor.name}: {len(picked)} of {size} children (no more are eligible in their teams).")
        taken |= {fold(child.child_id) for child in picked}
        picks += [Pick(child, CROSS_SAMPLE, auditor.name) for child in picked]
        strata += parts
    merged: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for part in strata:
        merged[(part.level_of_need, part.team)][1] += part.drawn
    for child in children:
        merged[(child.level_of_need, child.team)][0] += 1
    strata = [Stratum(level, team, counts[0], counts[1]) for (level, team), counts in sorted(merged.items())]
    return Drawn(picks, exclusions, strata, notes=notes)
