"""Compliance against the framework's minimums: roster + targets + this quarter's returns → expected vs done.

Quarterly targets are judged on the quarter. Annual targets (line-manager observations, supervision
audits, thematic audits a year) count the financial year up to and including the quarter and are
judged pro rata: by the end of Q3, three quarters of the year's minimum, rounded down. The DCS's
six-monthly observation is judged the same way over the half year. Child names are never read here:
children appear only as IDs, and only in counts. The returns, rejections and unreturned forms come
from :mod:`pipeline.compliance.assessment`, which decides once what belongs to the quarter.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from ..admin import Person
from ..quarter import Quarter
from ..roles import PRACTITIONERS, Role, fold
from ..spec.contract import STAFF_NAME_ROLES
from ..store import IssuedForm, StoredSubmission
from ..targets import Targets
from .lines import (
    ACTIVITIES,
    AMBER,
    GREEN,
    ORDER,
    ActivityLine,
    CcrSpread,
    Compliance,
    PersonLine,
    Tally,
    UnknownName,
    base_key,
)
from .lines import author as _author
from .lines import day as _day
from .lines import names as _names
from .lines import times as _times
from .rules import feedback_streams, person_rules

@dataclass(frozen=True)
class _Period:
    """The quarters counted so far of a period (quarter, half year or year) that ends on *end*."""

    kind: str
    quarters: list[Quarter]
    length: int
    end: dt.date

    @property
    def elapsed(self) -> int:
        return len(self.quarters)

    @property
    def span(self) -> str:
        first, last = self.quarters[0].start, self.quarters[-1].end
        return f"{first:%B}–{last:%B %Y}" if first.year == last.year else f"{first:%B %Y}–{last:%B %Y}"

    def pro_rata(self, total: int) -> int:
        """The share of *total* due by now, rounded down."""
        return total * self.elapsed // self.length


def judge_minimums(quarter: Quarter, returns: dict[tuple[str, str], list[StoredSubmission]], rejected: Counter[str],
                   unreturned: list[IssuedForm], roster: list[Person], targets: Targets,
                   redact: Callable[[str], str] | None = None, forms: set[str] | None = None) -> Compliance:
    """Judge *quarter*'s QA activity against *targets* for the staff on *roster*.

    *returns* holds the current submissions by (form, quarter label); *rejected* the quarter's
    unresolved rejections by form; *unreturned* the quarter's issued forms not yet returned.
    *redact* takes a child's name out of a staff name or team typed on a form (typed in the wrong box).
    *forms* are the forms in the catalogue: a rule whose form is not there cannot be returned, so is not expected.
    """
    minimums = _Minimums(quarter, returns, rejected, unreturned, roster, targets, redact)
    minimums.forms = forms
    return minimums.run()


class _Minimums:
    """One run of judge_minimums(): the periods and the roster indexes worked out once."""

    def __init__(self, quarter: Quarter, returns: dict[tuple[str, str], list[StoredSubmission]], rejected: Counter[str],
                 unreturned: list[IssuedForm], roster: list[Person], targets: Targets,
                 redact: Callable[[str], str] | None = None) -> None:
        self.quarter, self.targets, self.rejected, self.unreturned = quarter, targets, rejected, unreturned
        self.redact = redact or (lambda text: text)
        self._returns = returns
        self.known = {fold(person.name): person for person in roster}
        # People who start after the quarter ends owe nothing yet and are owed nothing yet.
        self.staff = sorted((p for p in roster if p.start_date is None or p.start_date <= quarter.end), key=lambda p: fold(p.name))
        self.reports: dict[str, list[Person]] = defaultdict(list)
        for person in self.staff:
            if person.line_manager:
                self.reports[fold(person.line_manager)].append(person)
        self.this_quarter = _Period("quarter", [quarter], 1, quarter.end)
        year = [Quarter(quarter.start_year, number) for number in range(1, quarter.number + 1)]
        self.year = _Period("year to date", year, 4, Quarter(quarter.start_year, 4).end)
        half_start = 1 if quarter.number <= 2 else 3
        self.half = _Period("half year to date", year[half_start - 1:], 2, Quarter(quarter.start_year, half_start + 1).end)
        self.lines: list[ActivityLine] = []
        self.people: list[PersonLine] = []
        self.forms: set[str] | None = None  # the catalogue's forms (None: not known, every rule applies)

    def run(self) -> Compliance:
        self.hos_summaries()
        self.safeguarding_report()
        self.dip_sampling()
        self.line_manager_observations()
        self.leader_observations("ad_observation", Role.AD, self.targets.ad_observations_per_quarter, self.this_quarter)
        if self.targets.dcs_quarterly:  # Appendix 6 rather than §6.5: the choice is stated in the report's method note
            self.leader_observations("dcs_observation", Role.DCS, self.targets.dcs_observations_per_quarter, self.this_quarter)
        else:
            self.leader_observations("dcs_observation", Role.DCS, self.targets.dcs_observations_per_half_year, self.half)
        self.supervision_audits()
        self.thematic_audits()
        spread = self.ccr()
        person_rules(self)
        feedback_streams(self)
        return Compliance(
            quarter=self.quarter.label, months=self.quarter.months, year_to_date=self.year.span,
            activities=sorted(self.lines, key=lambda line: ORDER[base_key(line.key)]),
            people=sorted(self.people, key=lambda p: (fold(p.person), ORDER[p.activity_key], fold(p.subject or ""))),
            ccr_spread=spread, unreturned=self.unreturned, unknown_names=self.unknown_names(),
        )

    # --- shared pieces ---------------------------------------------------------------------------

    def returns(self, form: str, period: _Period) -> list[StoredSubmission]:
        return [s for quarter in period.quarters for s in self._returns.get((form, quarter.label), [])]

    def with_role(self, *roles: Role) -> list[Person]:
        return [p for p in self.staff if p.role in roles]

    def add_line(self, key: str, period: _Period, minimum: int, received: int, explanation: str,
                 counted: int | None = None, rag: str | None = None, activity: str | None = None) -> None:
        """An activity line; *counted* (towards the minimum) defaults to everything *received*."""
        named, section, form, unit = ACTIVITIES[base_key(key)]
        activity = activity or named
        first_of_form = (next(k for k, info in ACTIVITIES.items() if info[2] == form) == base_key(key)
                         and not any(line.form == form for line in self.lines))
        counted = received if counted is None else counted
        self.lines.append(ActivityLine(
            key=key, activity=activity, section=section, form=form, period=period.kind, span=period.span, unit=unit,
            minimum=minimum, received=received, counted=counted, rejected=self.rejected[form] if first_of_form else 0,
            outstanding=max(0, minimum - counted), rag=rag or self.targets.rag(counted, minimum), explanation=explanation,
        ))

    def add_person(self, key: str, owner: Person | str, subject: str | None, period: _Period,
                   required: int, done: int, explanation: str, rule: str = "", reference: str = "") -> PersonLine:
        person = owner if isinstance(owner, Person) else self.known.get(fold(owner))
        line = PersonLine(
            person=person.name if person else str(owner), role=str(person.role) if person else "",
            team=person.team if person else "", activity_key=key, activity=ACTIVITIES[key][0], subject=subject,
            due=period.end, required=required, done=done, outstanding=max(0, required - done),
            rag=self.person_rag(done, required, period), explanation=explanation, rule=rule, reference=reference,
        )
        self.people.append(line)
        return line

    def person_rag(self, done: int, required: int, period: _Period) -> str:
        """Green when met or on track; Amber when behind with time left; by the thresholds once the period ends."""
        if done >= required:
            return GREEN
        if period.elapsed >= period.length:
            return self.targets.rag(done, required)
        return GREEN if done * period.length >= required * period.elapsed else AMBER

    def per_person_line(self, key: str, period: _Period, lines: list[PersonLine], received: int, explanation: str) -> None:
        """An activity line from quarterly per-person obligations: the minimum is their sum, and each
        person's returns count towards it up to what they owe, so minimum − counted = outstanding."""
        minimum = sum(line.required for line in lines)
        counted = sum(min(line.done, line.required) for line in lines)
        if counted < received:
            unit = ACTIVITIES[key][3]
            explanation += (f" {counted} of the {received} {unit} count towards the minimum "
                            f"(at most {_names(sorted({str(line.required) for line in lines}), 'or')} each from those who owe them).")
        self.add_line(key, period, minimum, received, explanation, counted)

    def pro_rata_line(self, key: str, period: _Period, lines: list[PersonLine], what: str, explanation: str) -> None:
        """An activity line from annual or six-monthly obligations, judged pro rata on the quarters elapsed."""
        total = sum(line.required for line in lines)
        minimum = period.pro_rata(total)
        counted = sum(min(line.done, line.required) for line in lines)
        unit = ACTIVITIES[key][3]
        judged = (f"Judged pro rata: by the end of {self.quarter.label} ({period.elapsed} of {period.length} quarters) "
                  f"{minimum} of the {total} {unit} {what} are due (rounded down); {counted} done in {period.span}.")
        if counted < total:
            judged += f" {total - counted} still to do by {_day(period.end)}."
        self.add_line(key, period, minimum, counted, f"{explanation} {judged}")

    # --- the activities ------------------------------------------------------------------------

    def hos_summaries(self) -> None:
        required = self.targets.hos_summaries_per_quarter
        returned = Counter(fold(_author(s)) for s in self.returns("hos_summary", self.this_quarter))
        lines = []
        for head in self.with_role(Role.HEAD_OF_SERVICE):
            done = returned[fold(head.name)]
            note = (f"Summary returned for {self.quarter.label}." if done >= required else
                    f"No summary yet for {self.quarter.label}; due by {_day(self.quarter.end)}.")
            lines.append(self.add_person("hos_summary", head, None, self.this_quarter, required, done, note))
        missing = [line.person for line in lines if line.outstanding]
        explanation = (f"{sum(not line.outstanding for line in lines)} of {len(lines)} Heads of service returned their "
                       f"summary (§4.2: {required} a quarter each)." + (f" Still to come: {_names(missing)}." if missing else ""))
        self.per_person_line("hos_summary", self.this_quarter, lines, sum(returned.values()),
                             explanation if lines else "No Head of service is on the roster.")

    def safeguarding_report(self) -> None:
        area = self.targets.safeguarding_area
        found = [s for s in self.returns("service_summary", self.this_quarter) if fold(str(s.answer("area") or "")) == fold(area)]
        minimum = self.targets.safeguarding_reports_per_quarter
        chairs = self.with_role(Role.IRO, Role.CP_CHAIR)
        managers = sorted({fold(p.line_manager): p.line_manager for p in chairs if p.line_manager}.values(), key=fold)
        authors = sorted({_author(s) for s in found if _author(s)}, key=fold)
        for manager in managers:
            note = (f"'{area}' summary returned by {_names(authors)}." if len(found) >= minimum else
                    f"No '{area}' summary yet for {self.quarter.label}; due by {_day(self.quarter.end)}.")
            self.add_person("safeguarding_report", manager, None, self.this_quarter, minimum, len(found), note)
        explanation = (f"The IRO / CP chairs report quarterly as a service summary for '{area}'. "
                       + (f"Returned by {_names(authors)}." if found else "None returned yet.")
                       + (f" Accountable: {_names(managers)}." if managers and len(found) < minimum else ""))
        self.add_line("safeguarding_report", self.this_quarter, minimum, len(found), explanation)

    def dip_sampling(self) -> None:
        required = self.targets.dip_sample_children_per_auditor
        children: dict[str, set[str]] = defaultdict(set)
        written: dict[str, str] = {}
        for sample in self.returns("dip_sample", self.this_quarter):
            auditor = _author(sample, "auditor")
            written.setdefault(fold(auditor), auditor)
            for row in sample.rows("children"):
                if row.get("child_id"):
                    children[fold(auditor)].add(fold(str(row["child_id"])))
        auditors = self.with_role(*self.targets.dip_sample_roles)
        lines = []
        for auditor in auditors:
            done = len(children[fold(auditor.name)])
            note = f"{done} of {required} children sampled in {self.quarter.label}" + (
                "." if done >= required else f"; {required - done} more by {_day(self.quarter.end)}.")
            lines.append(self.add_person("dip_sample", auditor, None, self.this_quarter, required, done, note))
        expected = {fold(a.name) for a in auditors}
        others = sorted((written[key] for key in children if key not in expected), key=fold)
        received = sum(len(ids) for ids in children.values())
        explanation = (f"{sum(not line.outstanding for line in lines)} of {len(lines)} auditing managers reached "
                       f"{required} children (§5.1); {received} children sampled in all.")
        if others:
            explanation += f" Includes {sum(len(children[fold(o)]) for o in others)} sampled by others: {_names(others)}."
        self.per_person_line("dip_sample", self.this_quarter, lines, received, explanation)

    def line_manager_observations(self) -> None:
        required = self.targets.line_manager_observations_per_year
        seen: dict[tuple[str, str], list[str]] = defaultdict(list)
        observers: dict[str, set[str]] = defaultdict(set)
        for observation in self.returns("observation", self.year):
            observer, practitioner = _author(observation, "observer"), str(observation.answer("practitioner") or "")
            seen[(fold(observer), fold(practitioner))].append(str(observation.answer("activity_date") or ""))
            observers[fold(practitioner)].add(observer)
        lines = []
        for person in self.with_role(*self.targets.observed_roles):
            if not person.line_manager:
                continue
            dates = sorted(seen[(fold(person.line_manager), fold(person.name))])
            who = f"{person.name} ({person.role}, {person.team})"
            if dates:
                note = f"Observed {who} on {_names([_day(d) for d in dates])}."
            else:
                note = f"{who} not yet observed by their line manager in {self.year.span}; due by {_day(self.year.end)}."
                others = sorted((o for o in observers[fold(person.name)] if fold(o) != fold(person.line_manager)), key=fold)
                if others:
                    note += f" Observed this year by {_names(others)}, which does not count for the line manager."
            lines.append(self.add_person("line_manager_observation", person.line_manager, person.name, self.year,
                                         required, len(dates), note))
        self.pro_rata_line("line_manager_observation", self.year, lines, "of practitioners and team managers by their line managers",
                           f"Every practitioner and team manager is observed by their line manager {_times(required)} a year (§6.4).")

    def leader_observations(self, key: str, role: Role, required: int, period: _Period) -> None:
        observed = Counter(fold(_author(s, "observer")) for s in self.returns("observation", period))
        lines = []
        for leader in self.with_role(role):
            done = observed[fold(leader.name)]
            note = f"{done} observation(s) of practice in {period.span}" + (
                "." if done >= required else f"; {required - done} more due by {_day(period.end)}.")
            lines.append(self.add_person(key, leader, None, period, required, done, note))
        every = "a quarter" if period.length == 1 else "every six months"
        rule = f"The {role} observes practice {_times(required)} {every} (§6.5)."
        if not lines:
            self.add_line(key, period, 0, 0, f"{rule} No {role} is on the roster.")
        elif period.length == 1:
            self.per_person_line(key, period, lines, sum(line.done for line in lines),
                                 f"{rule} " + " ".join(f"{line.person}: {line.explanation}" for line in lines))
        else:
            self.pro_rata_line(key, period, lines, f"by the {role}", rule)

    def supervision_audits(self) -> None:
        required = self.targets.supervision_audits_per_person_per_year
        audited: Counter[tuple[str, str]] = Counter()
        for audit in self.returns("supervision_audit", self.year):
            auditor = fold(_author(audit, "auditor"))
            # An audit covers the supervisor's supervision and the supervisee's: either is the person managed.
            for subject in {fold(str(audit.answer(role) or "")) for role in ("supervisor", "supervisee")} - {""}:
                audited[(auditor, subject)] += 1
        lines = []
        for manager in self.staff:
            for person in self.reports[fold(manager.name)]:
                if self.targets.supervision_audit_only_supervisors and not self.reports[fold(person.name)]:
                    continue
                done = audited[(fold(manager.name), fold(person.name))]
                who = f"{person.name}'s supervision ({person.role}, {person.team or 'directorate'})"
                note = (f"Audit of {who} returned." if done >= required else
                        f"No audit yet of {who} in {self.year.span}; due by {_day(self.year.end)}.")
                lines.append(self.add_person("supervision_audit", manager, person.name, self.year, required, done, note))
        whom = "who supervises others" if self.targets.supervision_audit_only_supervisors else "they manage"
        self.pro_rata_line("supervision_audit", self.year, lines, "by managers",
                           f"Each manager audits the supervision of each person {whom} {_times(required)} a year (§7.2).")

    def thematic_audits(self) -> None:
        per_quarter, per_year = self.targets.thematic_audits_per_quarter, self.targets.thematic_audits_per_year
        # One audit is one theme in one quarter, however many auditors return a sheet for it.
        audits: dict[tuple[str, str], list[StoredSubmission]] = defaultdict(list)
        themes: dict[str, str] = {}
        for audit in self.returns("thematic_audit", self.year):
            theme = str(audit.answer("theme") or audit.variant or "no theme given")
            themes.setdefault(fold(theme), theme)
            audits[(audit.quarter or "", fold(theme))].append(audit)
        details = [f"'{themes[theme]}' ({len(sheets)} auditor(s), "
                   f"{sum(len(s.rows('children')) for s in sheets)} children)"
                   for (quarter, theme), sheets in sorted(audits.items()) if quarter == self.quarter.label]
        received = len(details)
        explanation = (f"At least {per_quarter} thematic audit(s) a quarter (§8.2). "
                       + (f"This quarter: {_names(details)}." if details else "None returned this quarter."))
        for psw in self.with_role(Role.PSW):
            note = "Leads the thematic audit programme (§8.2): " + (
                f"{_names(details)}." if details else
                f"no thematic audit returned yet for {self.quarter.label}; due by {_day(self.quarter.end)}.")
            self.add_person("thematic_audit", psw, None, self.this_quarter, per_quarter, received, note)
        self.add_line("thematic_audit", self.this_quarter, per_quarter, received, explanation)
        minimum, done = self.year.pro_rata(per_year), len(audits)
        listing = _names([f"{quarter[-2:]} '{themes[theme]}'" for quarter, theme in sorted(audits)]) or "none yet"
        explanation = (f"At least {per_year} thematic audits a year (§8.2), judged pro rata: by the end of {self.quarter.label} "
                       f"{minimum} are due (rounded down); {done} done in {self.year.span}: {listing}.")
        self.add_line("thematic_audit_year", self.year, minimum, done, explanation)

    def ccr(self) -> CcrSpread:
        children: dict[str, tuple[str, str]] = {}
        reviewers: set[str] = set()
        for review in self.returns("ccr", self.this_quarter):
            child = fold(str(review.child_id or review.answer("child_id") or ""))
            if child and child not in children:
                children[child] = (str(review.answer("level_of_need") or ""), str(review.answer("team") or ""))
            reviewers.add(fold(_author(review, "reviewer")))
        levels = Counter(fold(level) for level, _ in children.values() if level)
        teams = Counter(fold(team) for _, team in children.values() if team)
        level_names = {fold(name): name for name in self.targets.ccr_levels_of_need}
        level_names |= {fold(level): level for level, _ in children.values() if level and fold(level) not in level_names}
        practice = {fold(p.team): p.team for p in self.staff if p.role in PRACTITIONERS and p.team}
        team_names = practice | {fold(team): self.redact(team) for _, team in children.values() if team and fold(team) not in practice}
        by_level = [Tally(name, levels[key]) for key, name in level_names.items()]
        by_team = [Tally(name, teams[key]) for key, name in sorted(team_names.items())]
        missing_levels = [name for name in self.targets.ccr_levels_of_need if not levels[fold(name)]]
        missing_teams = sorted((name for key, name in practice.items() if not teams[key]), key=fold) if self.targets.ccr_every_practice_team else []
        minimum, received = self.targets.ccr_children_per_quarter, len(children)
        explanation = f"{received} children reviewed (§9: at least {minimum} a quarter, across levels of need and teams) by {len(reviewers - {''})} reviewer(s)."
        gaps = ([f"level of need {_names(missing_levels)}"] if missing_levels else []) + ([f"team {_names(missing_teams)}"] if missing_teams else [])
        explanation += f" No review yet for {'; '.join(gaps)}." if gaps else " Every level of need and practice team is covered."
        rag = self.targets.rag(received, minimum)
        if rag == GREEN and gaps:
            rag = AMBER  # enough children, but not the spread the framework asks for
        self.add_line("ccr", self.this_quarter, minimum, received, explanation, rag=rag)
        return CcrSpread(by_level, by_team, missing_levels, missing_teams)

    def unknown_names(self) -> list[UnknownName]:
        counts: Counter[tuple[str, str, str]] = Counter()
        for submission in (s for (_, label), found in self._returns.items() if label == self.quarter.label for s in found):
            for role in STAFF_NAME_ROLES:
                item = submission.spec.role_field(role) if submission.spec else None
                value = " ".join(str(submission.values.get(item.id) or "").split()) if item else ""
                if value and fold(value) not in self.known:
                    counts[(self.redact(value), submission.form, item.label)] += 1
        return [UnknownName(name, form, field, count) for (name, form, field), count
                in sorted(counts.items(), key=lambda item: (fold(item[0][0]), item[0][1], item[0][2]))]
