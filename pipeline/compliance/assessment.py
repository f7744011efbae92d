"""One assessment of a workspace for a quarter: the single source of every figure status and the report show.

:func:`assess_workspace` reads the store once and decides, in one place, which submissions are
this quarter's (and last quarter's, and the year's so far), which rejected files belong to the
quarter and which of them a later accepted file resolved, which issued forms are unreturned, and
what activity is outstanding against the minimums. `qa status`, `qa report`, the service-area
drafts and the action ledger all render this object; none of them recomputes a figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ..admin import Person, PlanEntry, load_targets, read_plan_rows, read_roster
from ..errors import WorkspaceError
from ..quarter import Quarter
from ..roles import fold
from ..spec import Catalogue
from ..store import IssuedForm, LogEntry, Store, StoredSubmission, bind, rejection_ref, submission_ref
from ..targets import Targets
from ..workspace import Workspace
from .lines import Compliance, plain
from .minimums import judge_minimums
from .plan import Deadline, PlanLine, check_plan, deadline, form_themes, plan_dict

_QUARTER_IN_NAME = re.compile(r"\d{4}-\d{2}-Q[1-4]")


@dataclass(frozen=True)
class Rejection:
    """A rejected file, by its ingest-log reference, and whether an accepted file has since resolved it.

    The file's name is not here: it is what a person typed, so it stays in the store and the log
    (`qa status --files` shows it to the admin). The reasons are in the note beside the file.
    """

    ref: str  # 'R-0007': the ingest-log number
    at: str  # when it was rejected (ISO, to the second)
    form: str | None  # form key ('dip_sample/networks_contingency'), None when not identified
    quarter: str  # the quarter it is counted in
    quarter_read: bool  # False when the quarter was not read from the file but from its name or arrival date
    reasons: list[str]
    resolved_by: str | None = None  # 'S-0042': the accepted submission that replaced it
    resolved_at: str | None = None

    @property
    def resolved(self) -> bool:
        return self.resolved_by is not None


@dataclass(frozen=True)
class RejectionCount:
    """This quarter's rejected files: how many, how many an accepted resubmission resolved, how many are outstanding."""

    total: int
    resolved: int
    outstanding: int


@dataclass
class Assessment:
    """Everything `qa status` and `qa report` say about a quarter, worked out once."""

    quarter: Quarter
    compliance: Compliance
    submissions: list[StoredSubmission]  # current, this quarter
    previous: list[StoredSubmission]  # current, the quarter before
    to_date: list[StoredSubmission]  # current, this quarter and every earlier one (the action ledger)
    everything: list[StoredSubmission]  # all stored, replaced ones too (names to keep out of the report)
    rejections: list[Rejection]
    files: dict[str, str] = field(default_factory=dict)  # reference → file name, for the admin only
    plan: list[PlanLine] = field(default_factory=list)  # the quarter's planned activity against the returns
    plan_problems: list[str] = field(default_factory=list)  # rows of the plan that could not be read or matched
    deadline: Deadline = field(default_factory=lambda: Deadline(None, "", 0, [], []))
    method: list[str] = field(default_factory=list)  # choices the targets make where the framework disagrees with itself

    @property
    def late_refs(self) -> set[str]:
        """The references of the returns that arrived after the due date."""
        return {late.ref for late in self.deadline.late}

    @property
    def unreturned(self) -> list[IssuedForm]:
        return self.compliance.unreturned

    @property
    def rejected(self) -> RejectionCount:
        resolved = sum(1 for r in self.rejections if r.resolved)
        return RejectionCount(len(self.rejections), resolved, len(self.rejections) - resolved)

    def as_dict(self, with_files: bool = False) -> dict:
        """Plain data for `qa status --json`: the minimums, the rejections and (for the admin, when asked) file names."""
        data = self.compliance.as_dict()
        data["returns"] = len(self.submissions)
        data["rejected"] = dataclasses.asdict(self.rejected)
        data["rejections"] = [plain(dataclasses.asdict(r)) for r in self.rejections]
        data |= plan_dict(self.plan, self.plan_problems, self.deadline)
        data["method"] = list(self.method)
        if with_files:
            data["files"] = dict(self.files)
        return data


def assess_workspace(workspace: Workspace, store: Store, quarter: Quarter, catalogue: Catalogue | None = None,
                     redact: Callable[[str], str] | None = None, today: dt.date | None = None) -> Assessment:
    """Assess *quarter* from the workspace's roster, targets, form specs (*catalogue*, loaded if not given) and store.

    A missing or unreadable roster raises the same WorkspaceError for `qa status` and `qa report`,
    naming the file and how to create it: without a roster nothing can be rated, and a report that
    silently left everything unrated would contradict the status the admin sees.
    """
    roster = read_roster(workspace.roster_path)
    targets = load_targets(workspace.targets_path)
    plan: list[PlanEntry] = []
    problems: list[str] = []
    if workspace.plan_path.exists():  # the plan is optional: without it there is nothing to check against
        try:  # rows that cannot be read are reported (with a did-you-mean); the others are still checked
            plan, problems = read_plan_rows(workspace.plan_path)
        except WorkspaceError as err:
            problems = str(err).splitlines()
    assessment = assess_quarter(store, quarter, roster, targets, catalogue or Catalogue.load(workspace.specs), redact,
                                plan=plan, today=today or _today())
    assessment.plan_problems[:0] = problems
    return assessment


def _today() -> dt.date:
    """QA_TODAY when set (to rehearse a quarter), else the computer's date."""
    import os

    from ..config import TODAY_ENV, parse_today

    value = os.environ.get(TODAY_ENV)
    if value:
        try:
            return parse_today(value, TODAY_ENV)
        except WorkspaceError:
            pass
    return dt.date.today()


def assess_quarter(store: Store, quarter: Quarter, roster: list[Person], targets: Targets, catalogue: Catalogue,
                   redact: Callable[[str], str] | None = None, plan: list[PlanEntry] | None = None,
                   today: dt.date | None = None) -> Assessment:
    """Assess *quarter* in *store* against *targets* for the staff on *roster*; answers are read by the roles in *catalogue*.

    *redact* takes a child's name out of a staff name or team typed on a form (see judge_minimums).
    With a *plan*, each planned activity is matched to the returns and the returns' due date is
    worked out from its meeting dates (*today* decides what is not yet due).
    """
    everything = bind(store.submissions(include_replaced=True), catalogue)
    current = [s for s in everything if s.status == "current"]
    returns: dict[tuple[str, str], list[StoredSubmission]] = defaultdict(list)
    for submission in current:
        if submission.quarter:
            returns[(submission.form, submission.quarter)].append(submission)
    this_quarter = [s for s in current if s.quarter == quarter.label]
    logged = [entry for entry in store.log_entries("rejected") if rejection_quarter(entry) == quarter.label]
    rejections = [rejection(entry) for entry in logged]
    unresolved = Counter((r.form or "").split("/")[0] for r in rejections if not r.resolved)
    returned = {s.issue_id for s in current if s.issue_id}
    unreturned = sorted((issued for issued in store.issued(quarter.label) if issued.issue_id not in returned),
                        key=lambda i: (fold(i.assignee), i.form, i.issue_id))
    compliance = judge_minimums(quarter, returns, unresolved, unreturned, roster, targets, redact,
                                forms={spec.id for spec in catalogue})
    files = {submission_ref(s.id): s.file for s in this_quarter}
    files |= {r.ref: entry.file for r, entry in zip(rejections, logged)}
    today = today or dt.date.today()
    plan_lines, plan_problems = check_plan(plan or [], quarter, this_quarter, today, form_themes(catalogue))
    due = deadline(plan or [], quarter, targets.returns_due_days_before_meeting, this_quarter, unreturned, today)
    return Assessment(
        plan=plan_lines,
        plan_problems=plan_problems,
        deadline=due,
        method=[targets.dcs_choice()],
        quarter=quarter,
        compliance=compliance,
        submissions=this_quarter,
        previous=[s for s in current if s.quarter == quarter.previous().label],
        to_date=[s for s in current if _on_or_before(s.quarter, quarter)],
        everything=everything,
        rejections=rejections,
        files=files,
    )


def assess(quarter: Quarter, store: Store, roster: list[Person], targets: Targets, catalogue: Catalogue) -> Compliance:
    """The minimums part of :func:`assess_quarter` (what `qa status` tabulates)."""
    return assess_quarter(store, quarter, roster, targets, catalogue).compliance


def rejection_quarter(entry: LogEntry) -> str:
    """The one quarter a rejected file is counted in.

    The quarter read from the file when it could be read; else a quarter written in its name or
    inbox folder (issued copies and the demo's folders carry one); else the quarter it arrived in.
    """
    if entry.quarter:
        return entry.quarter
    named = _QUARTER_IN_NAME.findall(entry.file)
    for label in reversed(named):
        try:
            return Quarter.from_label(label).label
        except ValueError:
            continue
    try:
        return Quarter.containing(dt.date.fromisoformat(entry.at[:10])).label
    except ValueError:
        return ""


def rejection(entry: LogEntry) -> Rejection:
    """A logged rejection as the assessment holds it."""
    return Rejection(
        ref=rejection_ref(entry.id),
        at=entry.at,
        form=entry.form,
        quarter=rejection_quarter(entry),
        quarter_read=bool(entry.quarter),
        reasons=list(entry.problems),
        resolved_by=submission_ref(entry.resolved_by) if entry.resolved_by else None,
        resolved_at=entry.resolved_at,
    )


def _on_or_before(label: str | None, quarter: Quarter) -> bool:
    try:
        return label is not None and Quarter.from_label(label) <= quarter
    except ValueError:
        return False
