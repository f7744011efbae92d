"""What an assessment of the minimums holds: activity lines, person lines, the CCR spread, unknown names.

Plain frozen dataclasses: `qa status` prints them, `qa status --json` and the report render them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..roles import Role
from ..store import IssuedForm

GREEN, AMBER, RED = "Green", "Amber", "Red"

# key → (activity, framework section, form, what is counted), in the order the report shows them.
ACTIVITIES: dict[str, tuple[str, str, str, str]] = {
    "hos_summary": ("Head of Service summaries", "§4.2", "hos_summary", "summaries"),
    "safeguarding_report": ("IRO / CP chair report", "§2.8", "service_summary", "reports"),
    "dip_sample": ("Dip sampling", "§5", "dip_sample", "children"),
    "line_manager_observation": ("Observations by line managers", "§6.4", "observation", "observations"),
    "ad_observation": ("Observations by the AD", "§6.5", "observation", "observations"),
    "dcs_observation": ("Observations by the DCS", "§6.5", "observation", "observations"),
    "supervision_audit": ("Supervision audits", "§7", "supervision_audit", "audits"),
    "thematic_audit": ("Thematic audits this quarter", "§8", "thematic_audit", "audits"),
    "thematic_audit_year": ("Thematic audits this year", "§8", "thematic_audit", "audits"),
    "ccr": ("Collaborative case reviews", "§9", "ccr", "children"),
    # What each role owes in person (the `rules:` of targets.yaml, Appendix 6 cell by cell).
    "thematic_by_person": ("Thematic audits, by person", "App. 6", "thematic_audit", "audits"),
    "ccr_by_person": ("CCRs, by person", "App. 6", "ccr", "children"),
    "supervision_dip_sample": ("Supervision dip samples of ASYEs", "App. 6", "supervision_dip_sample", "supervisions"),
    # One line per stream ('forum_feedback:Care leavers forum'): each source is RAG-rated on its own.
    "forum_feedback": ("Children's forum", "§10.3", "child_family_feedback", "returns"),
    "staff_feedback": ("Staff feedback", "§11.2", "staff_feedback", "returns"),
    "service_area": ("Service area return", "§2.8", "service_summary", "returns"),
}
ORDER = {key: index for index, key in enumerate(ACTIVITIES)}
# The line each kind of rule adds to.
RULE_LINES = {"thematic_audit": "thematic_by_person", "ccr": "ccr_by_person", "supervision_dip_sample": "supervision_dip_sample"}


def base_key(key: str) -> str:
    """'forum_feedback' for 'forum_feedback:Care leavers forum': the ACTIVITIES entry a line belongs to."""
    return key.split(":", 1)[0]


@dataclass(frozen=True)
class ActivityLine:
    """One QA activity against its minimum: received, counted, rejected and outstanding, RAG-rated.

    *received* is everything returned (in *unit*); *counted* is the part that counts towards the
    minimum (at most what each person owes: a manager who sampled 12 children counts 10), so
    ``outstanding == max(0, minimum - counted)`` always — the constructor refuses anything else.
    *rejected* is the number of this quarter's files of the activity's form rejected and not yet
    resolved by an accepted resubmission, shown on the first line of that form only so that the
    column adds up. The RAG compares *counted* with the minimum.
    """

    key: str
    activity: str
    section: str
    form: str
    period: str  # 'quarter', 'year to date' or 'half year to date'
    span: str  # the months counted, e.g. 'April–December 2022'
    unit: str
    minimum: int
    received: int
    counted: int
    rejected: int
    outstanding: int
    rag: str
    explanation: str

    def __post_init__(self) -> None:
        if self.outstanding != max(0, self.minimum - self.counted) or self.counted > self.received:
            raise ValueError(f"{self.key}: minimum {self.minimum}, counted {self.counted} of {self.received}, "
                             f"outstanding {self.outstanding} do not add up")


@dataclass(frozen=True)
class PersonLine:
    """What one member of staff owes towards an activity, and how far they have got."""

    person: str
    role: str
    team: str
    activity_key: str
    activity: str
    subject: str | None  # the colleague to observe, or whose supervision to audit
    due: dt.date
    required: int
    done: int
    outstanding: int
    rag: str
    explanation: str
    rule: str = ""  # the targets.yaml rule it comes from ('psw_thematic'), if any
    reference: str = ""  # the framework reference of that rule


@dataclass(frozen=True)
class Tally:
    """A name and how many."""

    name: str
    count: int


@dataclass(frozen=True)
class CcrSpread:
    """Children reviewed by CCR this quarter, by level of need and by team; the gaps the framework asks to fill."""

    by_level_of_need: list[Tally]
    by_team: list[Tally]
    missing_levels: list[str]
    missing_teams: list[str]


@dataclass(frozen=True)
class UnknownName:
    """A name written on this quarter's returns that matches no one on the roster."""

    name: str
    form: str
    field: str  # the label of the field it was written in
    count: int


@dataclass(frozen=True)
class RagCount:
    """How many lines are Green, Amber and Red."""

    green: int
    amber: int
    red: int

    @classmethod
    def of(cls, rags: Iterable[str]) -> RagCount:
        """Count the ratings in *rags*."""
        rags = list(rags)
        return cls(rags.count(GREEN), rags.count(AMBER), rags.count(RED))


@dataclass(frozen=True)
class Compliance:
    """A quarter's QA activity against the framework's minimums, for `qa status` and the DLT report."""

    quarter: str
    months: str
    year_to_date: str
    activities: list[ActivityLine]
    people: list[PersonLine]
    ccr_spread: CcrSpread
    unreturned: list[IssuedForm]
    unknown_names: list[UnknownName]

    def outstanding_people(self) -> list[PersonLine]:
        """The person lines with something still to do."""
        return [line for line in self.people if line.outstanding > 0]

    @property
    def activity_rag(self) -> RagCount:
        """Activities by RAG rating."""
        return RagCount.of(line.rag for line in self.activities)

    @property
    def people_rag(self) -> RagCount:
        """Obligations still outstanding, by RAG rating (the rows of 'people with activity still to do')."""
        return RagCount.of(line.rag for line in self.outstanding_people())

    def as_dict(self) -> dict:
        """Plain data for JSON: dates as ISO strings."""
        data = plain(dataclasses.asdict(self))
        data["activity_rag"] = dataclasses.asdict(self.activity_rag)
        data["people_rag"] = dataclasses.asdict(self.people_rag)
        return data  # type: ignore[return-value]


def plain(value: object) -> object:
    """Dicts and lists as they are, dates as ISO strings, roles as their names."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, Role) else value


DATE_ROLES = ("session_date", "activity_date", "completed_on")  # the session sampled, else the activity, else the form's date


def activity_date(submission) -> dt.date | None:
    """The date a return's work was done: the first of DATE_ROLES it answers (stored dates may be ISO text)."""
    for role in DATE_ROLES:
        value = submission.answer(role)
        if isinstance(value, dt.date):
            return value
        if not value:
            continue
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
    return None


def day(value: dt.date | str) -> str:
    """'31/12/2022' (or 'an unknown date')."""
    parsed = dt.date.fromisoformat(value) if isinstance(value, str) and value else value
    return parsed.strftime("%d/%m/%Y") if isinstance(parsed, dt.date) else "an unknown date"


def times(count: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def names(items: Iterable[str], joiner: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def author(submission, *roles: str) -> str:
    """The first answer with one of *roles* filled in, else who completed the form."""
    for role in (*roles, "author"):
        value = " ".join(str(submission.answer(role) or "").split())
        if value:
            return value
    return ""
