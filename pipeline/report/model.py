"""The quarterly report as plain data, built from the store: what the DLT report and --json show.

No Office library is imported here: :func:`build_model` returns dataclasses, and
:meth:`ReportModel.to_json` turns them into the dict the documents are rendered from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from ..errors import ReportError
from ..quarter import Quarter
from ..spec import Catalogue
from ..store import LogEntry, Store, StoredSubmission
from . import actions as ledger
from .activity import Activity, activity_section
from .drafts import ServiceAreaDraft, service_area_drafts
from .findings import (
    DipSamples,
    Observations,
    SupervisionAudits,
    ThematicAudits,
    dip_samples,
    observations,
    supervision_audits,
    thematic_audits,
)
from .practice import PracticeQuality, practice_quality
from .redact import Redactor
from .sources import Sourcer
from .summary import Figure, Learning, key_figures, key_messages, learning_priorities
from .voices import (
    ChildFamilyFeedback,
    Collated,
    Edi,
    StaffFeedback,
    child_family_feedback,
    collate_summaries,
    edi,
    learning_requests,
    staff_feedback,
)

ORGANISATION = "Children's Social Care"


@dataclass
class SourceFile:
    """A return the report draws on."""

    file: str
    form: str
    author: str
    received: str
    child_id: str


@dataclass
class RejectedFile:
    """A file the inbox rejected, with the reasons its author was given."""

    file: str
    at: str
    form: str
    quarter: str
    reasons: list[str]


@dataclass
class ReportModel:
    """Everything the DLT report, the service-area drafts and `qa report --json` contain."""

    title: str
    organisation: str
    quarter: str
    months: str
    previous_quarter: str
    as_of: str
    generated_on: str
    figures: list[Figure]
    messages: list[str]
    activity: Activity
    practice: PracticeQuality
    dip_samples: DipSamples
    thematic: ThematicAudits
    observations: Observations
    supervision: SupervisionAudits
    collated: Collated
    children_families: ChildFamilyFeedback
    staff: StaffFeedback
    edi: Edi
    actions: ledger.ActionLedger
    learning: Learning
    sources: list[SourceFile]
    rejected: list[RejectedFile]
    service_areas: list[ServiceAreaDraft]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The model as JSON-able data (lists, dicts, strings, numbers)."""
        return plain(self)  # type: ignore[return-value]


def plain(value: object) -> object:
    """Dataclasses as dicts, recursively (dataclasses.asdict deep-copies every leaf: ten times slower here)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: plain(item) for key, item in vars(value).items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def build_model(
    catalogue: Catalogue,
    store: Store,
    quarter: str | Quarter,
    *,
    compliance: object | None = None,
    completions: dict[str, ledger.Completion] | None = None,
    register: str = "",
    today: dt.date | None = None,
    notes: list[str] | None = None,
) -> ReportModel:
    """Build the report for *quarter* from the store (and the compliance result, when there is one)."""
    q = parse_quarter(quarter)
    today = today or dt.date.today()
    as_of = min(q.end, today)
    previous_q = q.previous()
    everything = list(store.iter_submissions(include_replaced=True))
    redactor = Redactor.from_submissions(catalogue, everything)
    sourcer = Sourcer(catalogue, redactor)
    current = _by_form(s for s in everything if s.status == "current" and s.quarter == q.label)
    previous = _by_form(s for s in everything if s.status == "current" and s.quarter == previous_q.label)
    earlier_or_now = [s for s in everything if s.status == "current" and _on_or_before(s.quarter, q)]
    rejected = [e for e in store.log_entries("rejected") if _rejected_in(e, q)]

    try:
        ccr_spec = catalogue.get("ccr")
    except KeyError:
        raise ReportError(
            "The form catalogue has no 'ccr' (collaborative case review) form, which the report is built around. "
            "Restore form_templates/ccr.yaml in the workspace."
        ) from None
    practice = practice_quality(ccr_spec, current.get("ccr", []), previous.get("ccr", []), previous_q.label, sourcer.clean)
    dips = dip_samples(catalogue, current.get("dip_sample", []), sourcer.clean, sourcer.text)
    thematic = thematic_audits(catalogue, current.get("thematic_audit", []), sourcer.clean, sourcer.text)
    observed = observations(catalogue, current.get("observation", []), sourcer)
    supervision = supervision_audits(catalogue, current.get("supervision_audit", []), sourcer)
    collated = collate_summaries(current.get("hos_summary", []) + current.get("service_summary", []), sourcer)
    families = child_family_feedback(catalogue, current.get("child_family_feedback", []), sourcer)
    staff = staff_feedback(catalogue, current.get("staff_feedback", []), sourcer)
    equality = edi(catalogue, [s for subs in current.values() for s in subs], sourcer)
    actions = ledger.build_ledger(
        ledger.collect_actions(earlier_or_now, sourcer.title, sourcer.clean, sourcer.text), q, as_of, completions or {}, register
    )
    returned = store.returned_issue_ids()
    unreturned = [issued for issued in store.issued(q.label) if issued.issue_id not in returned]
    activity = activity_section(catalogue, current, rejected, unreturned, compliance, sourcer.clean)
    learning = Learning(
        priorities=learning_priorities(practice, dips, thematic, supervision, equality),
        requested=learning_requests(current.get("hos_summary", []), current.get("staff_feedback", []), sourcer),
    )
    all_current = [s for subs in current.values() for s in subs]
    model = ReportModel(
        title="Quality assurance report to the Departmental Leadership Team",
        organisation=ORGANISATION,
        quarter=q.label,
        months=q.months,
        previous_quarter=previous_q.label,
        as_of=as_of.isoformat(),
        generated_on=today.isoformat(),
        figures=[],
        messages=[],
        activity=activity,
        practice=practice,
        dip_samples=dips,
        thematic=thematic,
        observations=observed,
        supervision=supervision,
        collated=collated,
        children_families=families,
        staff=staff,
        edi=equality,
        actions=actions,
        learning=learning,
        sources=_sources(all_current, sourcer),
        rejected=[_rejected(entry, catalogue, redactor) for entry in rejected],
        service_areas=service_area_drafts(catalogue, q.label, current, previous, previous_q.label, sourcer),
        notes=list(notes or []),
    )
    model.figures = key_figures(model)
    model.messages = key_messages(model)
    return model


def parse_quarter(quarter: str | Quarter) -> Quarter:
    """*quarter* as a Quarter; ReportError saying how to write it if it is not one."""
    if isinstance(quarter, Quarter):
        return quarter
    try:
        return Quarter.from_label(quarter)
    except ValueError as err:
        raise ReportError(f"--quarter: {err}. Write it as 2022-23-Q3 (Q1 = April to June).") from None


def _by_form(submissions) -> dict[str, list[StoredSubmission]]:
    grouped: dict[str, list[StoredSubmission]] = {}
    for submission in submissions:
        grouped.setdefault(submission.form, []).append(submission)
    return grouped


def _on_or_before(label: str | None, quarter: Quarter) -> bool:
    try:
        return label is not None and Quarter.from_label(label) <= quarter
    except ValueError:
        return False


def _rejected_in(entry: LogEntry, quarter: Quarter) -> bool:
    # A file whose quarter could not be read is listed in reports for quarters that had begun when it arrived.
    if entry.quarter:
        return entry.quarter == quarter.label
    try:
        return dt.date.fromisoformat(entry.at[:10]) >= quarter.start
    except ValueError:
        return False


def _sources(submissions: list[StoredSubmission], sourcer: Sourcer) -> list[SourceFile]:
    files = [
        SourceFile(sourcer.clean(s.file), sourcer.title(s), sourcer.clean(s.author), s.received_at[:10], sourcer.clean(s.child_id))
        for s in submissions
    ]
    return sorted(files, key=lambda f: (f.form, f.file.casefold()))


def _rejected(entry: LogEntry, catalogue: Catalogue, redactor: Redactor) -> RejectedFile:
    form = entry.form or ""
    try:
        form = catalogue.get(*(form.split("/", 1) if "/" in form else (form,))).display_title if form else "Not identified"
    except KeyError:
        pass
    return RejectedFile(
        redactor.name(entry.file),
        entry.at[:16].replace("T", " "),
        form,
        entry.quarter or "Not known",
        [redactor.text(problem) for problem in entry.problems],
    )
