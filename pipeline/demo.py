"""`qa demo`: a workspace with a realistic synthetic quarter, ingested through the real path and reported.

Everything is made the way the service would make it: forms issued with `issue_form`, filled in as
staff fill them (content controls in Word, cells in Excel), dropped in the inbox — some late, some
wrong, some never returned — and ingested by the same `ingest_inbox` the QA admin runs.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from . import demo_content as text
from . import demo_evidence
from . import demo_forms as v2
from .admin import Person, read_roster, write_examples
from .config import write_example_config
from .demo_people import people_demo
from .ingest import Outcome, ingest_inbox
from .issue import issue_form
from .quarter import Quarter
from .demo_handsoff import HOS_ACTIVITY, demo_annual_report, write_demo_performance
from .schedule import person_folder
from .read.package import OLE_MAGIC, open_package
from .spec import GRADES, Catalogue, FormSpec
from .store import Store, bind
from .templates import build_form
from .templates.docx_fill import fill_docx
from .workspace import Workspace

CURRENT = Quarter.from_label("2022-23-Q3")
LEVELS = ("Early help", "Child in need", "Child protection", "Child we look after", "Care leaver")
FIRST_NAMES = ("Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Jack", "Zainab", "Kacper", "Freya", "Tyler", "Maja", "Reuben")
SURNAMES = ("Hughes", "Kowalski", "Ahmed", "Taylor", "Byrne", "Okafor", "Walsh", "Nguyen", "Davies", "Murphy")
# The demo's year: three earlier quarters ingested as they happened, then the current one through the watcher.
YEAR = (CURRENT.previous().previous().previous(), CURRENT.previous().previous(), CURRENT.previous(), CURRENT)
# Improvement over the year, small from one quarter to the next (within sampling noise on ~20 reviews) and
# clear over the year: grade weights (Outstanding, Good, RI, Inadequate).
GRADE_WEIGHTS = dict(zip(YEAR, ((1, 3, 10, 6), (1, 6, 9, 4), (1, 8, 8, 3), (2, 11, 6, 2))))
THEMES = dict(zip(YEAR, ("Exploitation and missing", "Children missing from home", "Neglect and cumulative harm", "quality_of_visits")))


@dataclass
class DemoResult:
    """What the demo made and where it is."""

    workspace: Workspace
    outcomes: list[Outcome] = field(default_factory=list)
    report_paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else the demo made, one line each


class _Quarter:
    """Makes one quarter's returns for a roster, as files waiting to be dropped in the inbox."""

    def __init__(self, workspace: Workspace, catalogue: Catalogue, store: Store, roster: list[Person], quarter: Quarter, seed: int) -> None:
        self.ws, self.catalogue, self.store, self.quarter = workspace, catalogue, store, quarter
        self.random = random.Random(seed)
        self.roster = roster
        self.files: list[tuple[str, bytes]] = []
        self.children = [f"C{self.random.randint(10000, 99999)}" for _ in range(60)]
        teams = sorted({p.team for p in roster if _role(p) == "social worker" and p.team})
        self.child_team = {child: teams[index % len(teams)] for index, child in enumerate(self.children)} if teams else {}
        self.used: set[str] = set()  # issued forms already filled in

    # --- helpers ------------------------------------------------------------------------------

    def people(self, *roles: str) -> list[Person]:
        return [p for p in self.roster if _role(p) in roles]

    def day(self) -> dt.date:
        return self.quarter.start + dt.timedelta(days=self.random.randint(5, 85))

    def grade(self) -> str:
        return self.random.choices(GRADES, weights=GRADE_WEIGHTS.get(self.quarter, (1, 9, 7, 3)))[0]

    def pick(self, options):
        return self.random.choice(options)

    def lines(self, options, count: int = 2) -> str:
        return "\n".join(self.random.sample(options, count))

    def drop(self, name: str, data: bytes) -> None:
        self.files.append((name, data))

    def issued(self, form: str, assignee: str, theme: str | None = None, child_id: str | None = None) -> tuple[FormSpec, bytes]:
        """The blank pre-filled copy the person received: the one the watcher issued them, else one issued now."""
        spec = self.catalogue.get(form, _variant(self.catalogue, form, theme))
        for issued in self.store.issued(self.quarter.label):
            if (issued.form, issued.variant, issued.assignee) == (spec.id, spec.variant, assignee) \
                    and issued.child_id in (child_id, None) \
                    and issued.issue_id not in self.used and Path(issued.path).is_file():
                self.used.add(issued.issue_id)
                return spec, Path(issued.path).read_bytes()
        path = issue_form(self.catalogue, self.store, form, self.quarter.label, assignee,
                          self.ws.outbox / "issued" / self.quarter.label / person_folder(assignee), theme, child_id,
                          issued_on=self.quarter.start + dt.timedelta(days=7))
        self.used |= {issued.issue_id for issued in self.store.issued(self.quarter.label) if issued.path == str(path)}
        spec = self.catalogue.get(form, _variant(self.catalogue, form, theme))
        return spec, path.read_bytes()

    def common(self, person: str) -> dict[str, object]:
        return {"quarter": self.quarter.label, "completed_by": person, "completed_on": self.day()}

    def actions(self, owner: str, count: int) -> list[dict[str, object]]:
        return [
            {"action": self.pick(text.ACTIONS), "owner": owner,
             "due_date": self.quarter.start + dt.timedelta(days=self.random.randint(20, 150))}
            for _ in range(count)
        ]

    # --- activities ---------------------------------------------------------------------------

    def ccrs(self, count: int) -> None:
        reviewers = self.people("head of service", "psw", "improvement team ap")
        workers = self.people("social worker")
        demo_evidence.revisit(self.store, self.catalogue, self.quarter, self.children)  # children reviewed again
        for number in range(count):
            worker = workers[number % len(workers)]
            reviewer = reviewers[number % len(reviewers)].name
            child = self.children[number]
            spec, issued = self.issued("ccr", reviewer, child_id=child)
            if number == count - 1 and self.quarter == CURRENT:
                continue  # issued, never returned: shows as outstanding
            grade = self.grade()
            values = {
                **self.common(reviewer), "child_id": child,
                "child_name": f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}",
                "social_worker": worker.name, "team_manager": worker.line_manager, "team": worker.team,
                "level_of_need": LEVELS[number % len(LEVELS)], "reviewer": reviewer, "review_date": self.day(),
                "review_location": "Team office and home visit", "duration_minutes": self.random.choice((60, 75, 90, 120)),
                "additional_work": "Read the last six months of case records and spoke to the IRO (2 hours).",
                "pen_picture": self.pick(text.PEN_PICTURES).format(age=self.random.randint(2, 18)),
                "overall_evaluation": self.pick(text.STRENGTHS) + " " + self.pick(text.WORRIES),
                "gone_well": self.lines(text.STRENGTHS), "needs_to_happen": self.lines(text.WORRIES),
                "edi_evaluation": self.pick(text.EDI), "overall_grade": grade,
                "rationale": f"Graded {grade.lower()} because of the impact seen for the child.",
            }
            for domain in ("assessment", "planning", "multi_agency_review", "voice_of_child",
                           "parents_carers_engagement", "management_oversight", "case_recording"):
                values[f"{domain}_evaluation"] = self.pick(text.STRENGTHS if self.random.random() < 0.6 else text.WORRIES)
                values[f"{domain}_grade"] = self.grade()
            if number % 4 != 3:  # most are moderated; the moderator sometimes differs
                moderated = grade if self.random.random() < 0.75 else GRADES[min(3, GRADES.index(grade) + 1)]
                values.update(moderator="Independent auditor", moderated_grade=moderated,
                              moderation_summary="Moderated in the direct session with the lead reviewer.")
            values.update(v2.ccr(self, values))
            if number == 1 and self.quarter == CURRENT:
                # Sent before moderation, then again with the moderated grade: the second replaces the first.
                unmoderated = {k: v for k, v in values.items() if not k.startswith("moderat")}
                self.drop(f"CCR - {child} (before moderation).docx", fill_docx(issued, spec, unmoderated))
            if number == 0 and self.quarter == CURRENT:
                draft = dict(values)
                del draft["overall_grade"], draft["rationale"]
                self.drop(f"CCR {child} draft.docx", fill_docx(issued, spec, draft))  # rejected: no grade
            self.drop(f"CCR - {child}.docx", fill_docx(issued, spec, values, {"actions": self.actions(worker.name, 2)}))

    def dip_samples(self, theme: str | None) -> None:
        managers = self.people("team manager", "head of service")
        for index, manager in enumerate(managers):
            spec, issued = self.issued("dip_sample", manager.name, theme=theme)
            if index == len(managers) - 1 and self.quarter == CURRENT:
                continue  # one manager has not returned a dip sample
            size = 7 if index == 1 else self.random.randint(10, 12)  # one manager sampled too few
            rows = []
            for child in self.random.sample(self.children, size):
                row = {"child_id": child, "team": self.child_team.get(child, manager.team), "level_of_need": self.pick(LEVELS),
                       "compliant": self.random.choices(("Yes", "Partly", "No"), (6, 3, 1))[0]}
                row["finding"] = self.pick(text.STRENGTHS if row["compliant"] == "Yes" else text.WORRIES)  # fits the answer
                row.update(v2.finding_row(self, row))
                for question in spec.group("children").fields:
                    if question.id not in row and question.type == "choice":
                        row[question.id] = self.random.choices(question.choices, (5, 3, 2, 1)[: len(question.choices)])[0]
                if row["compliant"] != "Yes":
                    row.update(action=self.pick(text.ACTIONS), owner=manager.name, due_date=self.day() + dt.timedelta(days=30))
                rows.append(row)
            if index == 2 and self.quarter == CURRENT:
                rows[3]["compliant"] = "Maybe"  # pasted past the drop-down: rejected, then fixed below
                self.drop(f"Dip sample - {manager.name} - first attempt.xlsx", self._xlsx(spec, manager, rows, issued))
                rows[3]["compliant"] = "Partly"
            self.drop(f"Dip sample - {manager.name}.xlsx", self._xlsx(spec, manager, rows, issued))

    def _xlsx(self, spec: FormSpec, manager: Person, rows: list[dict], issued: bytes) -> bytes:
        values = {**self.common(manager.name), "auditor": manager.name, "theme": spec.theme or "Practice standards",
                  "edi_evaluation": self.pick(text.EDI)}
        values.update(v2.edi(self, values))
        return build_form(spec, values, {next(spec.groups()).id: rows}, issue_id=_issue_id(issued))

    def thematic_audit(self, theme: str) -> None:
        auditors = self.people("psw", "improvement team ap", "team manager")[:4]
        for auditor in auditors:
            spec, issued = self.issued("thematic_audit", auditor.name, theme=theme)
            rows = []
            for child in self.random.sample(self.children, 5):
                grade = self.grade()
                row = {"child_id": child, "team": self.child_team.get(child, "Assessment"),
                       "level_of_need": self.pick(LEVELS), "grade": grade, "strengths": self.pick(text.STRENGTHS),
                       # a worry where the practice was not yet good (and now and then beside good practice)
                       "worries": self.pick(text.WORRIES) if grade in GRADES[2:] or self.random.random() < 0.15 else None}
                for question in spec.group("children").fields:
                    if question.id not in row and question.type == "choice":
                        row[question.id] = self.random.choice(question.choices)
                if row["grade"] in GRADES[2:]:
                    row.update(action=self.pick(text.ACTIONS), owner=auditor.line_manager or auditor.name,
                               due_date=self.quarter.end - dt.timedelta(days=self.random.randint(-40, 20)))
                row.update(v2.thematic_row(self, row))
                if not row["worries"]:
                    row.pop("worries_theme", None)  # no worry, so no theme for one
                rows.append(row)
            values = {**self.common(auditor.name), "auditor": auditor.name, "theme": spec.theme or theme,
                      "moderator": "Principal social worker", "edi_evaluation": self.pick(text.EDI)}
            values.update(v2.edi(self, values))
            self.drop(f"Thematic audit - {auditor.name}.xlsx", build_form(spec, values, {"children": rows}, issue_id=_issue_id(issued)))

    def observations(self) -> None:
        practitioners = self.people("social worker", "team manager")
        share = practitioners[self.quarter.number - 1::4]  # a quarter of staff observed each quarter
        senior = self.people("ad") + (self.people("dcs") if self.quarter != CURRENT else [])
        pairs = [(p.line_manager, p.name) for p in share if p.line_manager]
        pairs += [(s.name, self.pick(self.people("social worker")).name) for s in senior]
        for observer, practitioner in pairs:
            spec, issued = self.issued("observation", observer)
            nature = self.pick(("Meeting", "Supervision", "Visit", "Visit", "Other"))
            values = {**self.common(observer), "observer": observer, "practitioner": practitioner,
                      "observation_date": self.day(), "child_id": self.pick(self.children), "level_of_need": self.pick(LEVELS),
                      "nature": nature, "nature_other": "Family group conference" if nature == "Other" else None,
                      "strengths": self.lines(text.STRENGTHS), "areas_for_development": self.pick(text.WORRIES),
                      "reflections": "We talked about how the child experienced the visit.", "edi_evaluation": self.pick(text.EDI)}
            values.update(v2.observation(self, values, senior=observer in {s.name for s in senior}))
            self.drop(f"Observation - {practitioner}.docx", fill_docx(issued, spec, values))

    def supervision_audits(self) -> None:
        managers = self.people("team manager", "head of service", "ad")
        for manager in managers:
            reports = [p for p in self.roster if p.line_manager == manager.name]
            if not reports:
                continue
            person = reports[self.quarter.number % len(reports)]
            spec, issued = self.issued("supervision_audit", manager.name)
            grade = self.grade()
            good = grade in GRADES[:2]  # reflective supervision goes with a good grade, mostly
            values = {**self.common(manager.name), "auditor": manager.name, "supervisor": manager.name,
                      "supervisee": person.name, "supervisee_role": _supervisee_role(person), "team": person.team or "Service",
                      "sessions_reviewed": self.random.randint(3, 8), "frequency_met": self.pick(("Yes", "Yes", "Partly")),
                      "reflective": self.pick(("Yes", "Yes", "Partly") if good else ("Partly", "No")),
                      "case_direction": self.pick(("Yes", "Yes", "Partly") if good else ("Yes", "Partly")),
                      "wellbeing_discussed": self.random.random() < 0.7, "learning_discussed": self.random.random() < 0.5,
                      "overall_grade": grade, "strengths": self.pick(text.STRENGTHS),
                      "areas_for_development": self.pick(text.WORRIES), "edi_evaluation": self.pick(text.EDI)}
            values.update(v2.strengths_and_worries(self, values))
            self.drop(f"Supervision audit - {person.name}.docx", fill_docx(issued, spec, values, {"actions": self.actions(manager.name, 1)}))

    def summaries(self) -> None:
        heads = self.people("head of service")
        for index, head in enumerate(heads):
            spec, issued = self.issued("hos_summary", head.name)
            if index == len(heads) - 1 and self.quarter == CURRENT:
                continue  # one Head of Service is late
            values = {**self.common(head.name), "service": head.team or "Children's social care",
                      "activity_undertaken": HOS_ACTIVITY[index % len(HOS_ACTIVITY)],
                      "working_well": self.lines(text.SUMMARY_WELL, 3), "worried_about": self.lines(text.SUMMARY_WORRIED, 2),
                      "needs_to_happen": self.lines(text.SUMMARY_ACTIONS, 2), "edi_evaluation": self.pick(text.EDI),
                      "learning": "Share examples of children's voice in plans at the learning event."}
            extra, actions = v2.summary(self, values, [p.name for p in self.roster if p.line_manager == head.name] or [head.name])
            self.drop(f"HoS summary - {head.name}.docx", fill_docx(issued, spec, {**values, **extra}, actions))
        areas = ("Safeguarding unit (IRO / CP chairs)", "Early help", "Complaints and compliments", "Virtual school", "Youth justice")
        author = (self.people("iro", "cp chair") or heads)[0].name
        for area in areas:
            spec, issued = self.issued("service_summary", author)
            values = {**self.common(author), "area_of_service": area, "dlt_date": self.quarter.end + dt.timedelta(days=19),
                      "activity_undertaken": f"{area}: quarterly quality assurance activity and performance review.",
                      "working_well": self.lines(text.SUMMARY_WELL), "worried_about": self.lines(text.SUMMARY_WORRIED),
                      "needs_to_happen": self.lines(text.SUMMARY_ACTIONS), "edi_evaluation": self.pick(text.EDI)}
            extra, actions = v2.summary(self, values, [author])
            self.drop(f"Service summary - {area.split(' (')[0]}.docx", fill_docx(issued, spec, {**values, **extra}, actions))

    def feedback(self) -> None:
        sources = [("Child or young person", "Collaborative case review"), ("Parent or carer", "Visit"),
                   ("Children in care council", "Forum meeting"), ("Care leavers forum", "Forum meeting")]
        author = self.people("psw")[0].name if self.people("psw") else self.roster[0].name
        # What each source said fits who said it: a care leaver's point is never credited to a parent.
        fitting = {"Child or young person": (0, 0, 0), "Parent or carer": (1, 3, 3), "Children in care council": (2, 1, 1),
                   "Care leavers forum": (3, 2, 2)}
        for source, how in sources:
            said = fitting[source]
            spec, issued = self.issued("child_family_feedback", author)
            individual = source in ("Child or young person", "Parent or carer")
            values = {**self.common(author), "source": source, "how_gathered": how, "feedback_date": self.day(),
                      "child_id": self.pick(self.children) if individual else None,
                      "participants": 1 if individual else self.random.randint(6, 14),
                      "working_well": text.FEEDBACK_WELL[said[0]], "worried_about": text.FEEDBACK_BETTER[said[1]],
                      "response": text.FEEDBACK_RESPONSE[said[2]], "edi_evaluation": self.pick(text.EDI)}
            values.update(v2.feedback(self, values))
            self.drop(f"Feedback - {source}.docx", fill_docx(issued, spec, values))
        spec, issued = self.issued("staff_feedback", author)
        values = {**self.common(author), "source": "Practitioners' forum", "respondents": 46, "involved_in_qa": 31,
                  "topics": ["Workload", "Supervision", "Quality assurance"], "working_well": self.lines(text.SUMMARY_WELL),
                  "worried_about": self.lines(text.SUMMARY_WORRIED), "needs_to_happen": self.lines(text.SUMMARY_ACTIONS),
                  "learning_requests": "Training on writing danger statements; refresher on chronologies.",
                  "edi_evaluation": "Staff asked for more support working with interpreters."}
        values.update(v2.feedback(self, values))
        self.drop("Practitioners forum summary.docx", fill_docx(issued, spec, values))

    def mistakes(self) -> None:
        """The files every shared inbox gets: old formats, passwords, lock files, a second copy."""
        self.drop("Observation notes (old Word).doc", OLE_MAGIC + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(2048))
        self.drop("Audit - password protected.docx", OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(2048))
        self.drop("~$CCR - draft.docx", b"owner file left by Word")
        name, data = next((n, d) for n, d in self.files if n.startswith("Observation - "))
        self.drop(f"Copy of {name}", data)  # byte-identical second copy: a duplicate, not a second return


def _completions(store: Store, catalogue: Catalogue, chooser: random.Random) -> dict[str, dt.date]:
    """Most actions due by the end of the current quarter were done, a few days either side of their due date."""
    from .report.actions import action_ref

    done = {}
    for submission in bind(store.submissions(), catalogue):
        for _, rows in submission.all_rows():
            for index, row in enumerate(rows):
                due = dt.date.fromisoformat(row["due_date"]) if row.get("action") and row.get("due_date") else None
                if due and due <= CURRENT.end and chooser.random() < 0.85:
                    done[action_ref(submission, row, index)] = due + dt.timedelta(days=chooser.randint(-20, 10))
    return done


def _learning_done(store: Store, catalogue: Catalogue) -> dict[str, dt.date]:
    """The admin records one 'what needs to happen' point of each Head of Service's last-quarter summary as done."""
    from .report.carried import KINDS, learning_ref
    from .report.sources import split_points

    done = {}
    for submission in bind(store.submissions("hos_summary", CURRENT.previous().label), catalogue):
        points = split_points(str(submission.answer("needs_to_happen") or ""))
        if points:
            done[learning_ref(submission.quarter, KINDS["hos_summary"], points[0])] = CURRENT.start + dt.timedelta(days=40)
    return done


def _psw_commentary(workspace: Workspace) -> None:
    """The Principal Social Worker's commentary for the current quarter, as the admin would save it."""
    from .report.front import write_commentary

    write_commentary(workspace.root / "admin", CURRENT.label, text.PSW_COMMENTARY)


def _issue_id(issued: bytes) -> str | None:
    """The issue id of an issued copy: an Excel user saves over the copy they were sent, keeping it."""
    return open_package("issued.xlsx", issued).issue_id


def _role(person: Person) -> str:
    return str(person.role).strip().casefold()


def _variant(catalogue: Catalogue, form: str, theme: str | None) -> str | None:
    from .issue import choose_spec

    return choose_spec(catalogue, form, theme).variant


def _supervisee_role(person: Person) -> str:
    return {"social worker": "Social worker", "team manager": "Team manager", "head of service": "Head of service",
            "ad": "Assistant director"}.get(_role(person), "Other")


def make_demo(root: Path, render: bool = True) -> DemoResult:
    """Build the demo workspace at *root*: three quarters of returns, ingested, and the DLT report for the latest."""
    workspace = Workspace(root.resolve()).ensure()
    workspace.copy_builtin_specs()
    write_examples(workspace)
    write_example_config(workspace.root)
    write_demo_performance(workspace)
    catalogue = Catalogue.load(workspace.specs)
    roster = read_roster(workspace.roster_path)
    result = DemoResult(workspace)
    calendar = _ReceivedCalendar()
    with Store(workspace.store_path) as store:
        store.clock = calendar
        for seed, quarter in zip((11, 1, 2), YEAR[:-1]):
            calendar.quarter = quarter
            maker = _returns(workspace, catalogue, store, roster, quarter, seed)
            result.outcomes += _drop_and_ingest(workspace, catalogue, store, quarter, maker)
        if render:
            from .report import build_report
            from .report.actions import REGISTER_NAME, write_register

            # Last quarter's report, then the admin records which of its actions were done.
            build_report(workspace, catalogue, store, CURRENT.previous())
            done = _completions(store, catalogue, random.Random(7)) | _learning_done(store, catalogue)
            write_register(workspace.root / "admin" / REGISTER_NAME, done)
            _psw_commentary(workspace)
        calendar.quarter = CURRENT
        result.report_paths = _quarter_through_the_watcher(workspace, catalogue, store, roster, render, result)
        result.report_paths += demo_annual_report(workspace, catalogue, store) if render else []
        result.notes += people_demo(workspace, catalogue, store, CURRENT, dt.date(2023, 1, 16))  # demo_people.py
    return result


class _ReceivedCalendar:
    """The store's clock in the demo: each file is received on a working day of the quarter it belongs to.

    Files are received in order over the quarter's second half, a working morning apiece, rather than
    all on the day the demo runs.
    """

    def __init__(self) -> None:
        self.quarter = CURRENT
        self._step: dict[str, int] = {}

    def __call__(self) -> dt.datetime:
        step = self._step.get(self.quarter.label, 0)
        self._step[self.quarter.label] = step + 1
        day = self.quarter.start + dt.timedelta(days=45 + (step // 4) % 44)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=7 * (step % 60))


def _returns(workspace: Workspace, catalogue: Catalogue, store: Store, roster: list[Person], quarter: Quarter, seed: int) -> _Quarter:
    maker = _Quarter(workspace, catalogue, store, roster, quarter, seed)
    maker.ccrs(22 if quarter == CURRENT else 20)
    maker.dip_samples("networks_contingency" if quarter == CURRENT else None)
    maker.thematic_audit(THEMES.get(quarter, "Children missing from home"))
    maker.observations()
    maker.supervision_audits()
    maker.summaries()
    maker.feedback()
    v2.more_returns(maker)
    if quarter == CURRENT:
        maker.mistakes()
    return maker


def _drop_and_ingest(workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter, maker: _Quarter) -> list[Outcome]:
    folder = workspace.inbox / quarter.label
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.datetime.combine(quarter.end, dt.time(9)).timestamp()
    for order, (name, data) in enumerate(maker.files):
        path = folder / name
        path.write_bytes(data)
        os.utime(path, (start + order, start + order))  # dropped in this order over the quarter's last day
    return ingest_inbox(workspace, catalogue, store)


class _SimulatedClock:
    """The watcher's seconds in the demo: they pass only when the demo says (no waiting for the debounce)."""

    seconds = 0.0

    def now(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds


def _quarter_through_the_watcher(workspace: Workspace, catalogue: Catalogue, store: Store, roster: list[Person],
                                 render: bool, result: DemoResult) -> list[Path]:
    """The current quarter as `qa watch` runs it, on simulated dates: forms issued on the plan's dates, the
    returns ingested, the tracker kept, and on the report date the final report rendered by the schedule."""
    from .config import load_config
    from .schedule import Schedule, issue_date, report_date
    from .report.scheduled import final_name

    config = load_config(workspace.root).overridden("the demo", draft_report=False, final_report=render)
    schedule = Schedule(workspace, catalogue, config, _SimulatedClock())

    def on(day: dt.date) -> None:
        schedule.config = schedule.config.with_today(day, "the demo's simulated date")
        schedule.run(store, now_everything=True)

    on(CURRENT.start)
    for day in sorted({issue_date(e, config.issue_days_before) for e in schedule.admin.plan if e.quarter == CURRENT}):
        on(day)
    maker = _returns(workspace, catalogue, store, roster, CURRENT, 3)
    result.outcomes += _drop_and_ingest(workspace, catalogue, store, CURRENT, maker)
    schedule.ingested()
    on(CURRENT.end)
    due = report_date(schedule.admin.plan, CURRENT, config.report_days_before_dlt)
    if due is None or not render:
        return []
    on(due)
    out = workspace.outbox / CURRENT.label
    return [out / final_name(CURRENT), out / f"action-ledger-{CURRENT.label}.xlsx", *sorted((out / "drafts").glob("*.docx"))]

