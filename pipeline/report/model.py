"""The quarterly report as plain data, rendered from the quarter's one assessment: what the DLT report and --json show.

Every count of returns, rejections, unreturned forms and outstanding activity comes from
:class:`pipeline.compliance.Assessment`; this module arranges it, it does not recount it. The
report refers to every file by its reference (S-0042 for a return, R-0007 for a rejected file),
never by the name a person gave it. No Office library is imported here: :func:`build_model`
returns dataclasses, and :meth:`ReportModel.to_json` turns them into the dict the documents are
rendered from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from ..compliance import Assessment, Rejection
from ..errors import ReportError
from ..quarter import Quarter
from ..spec import Catalogue
from ..store import StoredSubmission, submission_ref
from . import actions as ledger
from ..agreement import AgreementReport
from .activity import Activity, activity_section
from .agreement import moderation_agreement
from .carried import CarriedLearning, carried_learning
from .drafts import ServiceAreaDraft, service_area_drafts
from .evidence import FOLLOW_THROUGH_DAYS, Evidence, build_evidence
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
from .performance import HosActivity, PerformanceData, hos_activity
from .front import Commentary, Front, build_front
from .practice import PracticeQuality, practice_quality
from .redact import Redactor
from .sources import Sourcer
from .staff import StaffIndex, attribute_to_team
from .summary import Figure, Learning, key_figures, key_messages, learning_priorities
from .trends import QualityTargets, Trends, ccr_trends
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
    """A return the report draws on, by its reference ('S-0042')."""

    ref: str
    form: str
    author: str
    received: str
    child_id: str


@dataclass
class RejectedFile:
    """A file the inbox rejected, by its reference ('R-0007'), with the reasons in its note and what became of it."""

    ref: str
    at: str
    form: str
    quarter: str
    reasons: list[str]
    resolved_by: str  # 'S-0042', or "" while outstanding
    resolved_on: str  # ISO date, or ""


@dataclass
class Rejections:
    """This quarter's rejected files: resolved by an accepted resubmission, or still outstanding."""

    total: int
    resolved: int
    outstanding: int


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
    rejections: Rejections
    rejected: list[RejectedFile]
    service_areas: list[ServiceAreaDraft]
    notes: list[str] = field(default_factory=list)
    performance: PerformanceData = field(default_factory=PerformanceData)  # set by build_report (admin/performance.xlsx)
    hos_activity: list[HosActivity] = field(default_factory=list)
    agreement: AgreementReport | None = None  # moderation statistics (report/agreement.py)
    evidence: Evidence | None = None  # impact, triangulation, assurance, follow-through, vignettes (evidence.py)
    trends: Trends | None = None  # quality over up to eight quarters against the targets (trends.py)
    carried: CarriedLearning | None = None  # earlier quarters' points followed through (carried.py)
    front: Front | None = None  # page one, built last from the sections (front.py)
    # Sections added by other modules: one field each here, defaulted, and one line in build_model.

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
    assessment: Assessment,
    *,
    completions: dict[str, ledger.Completion] | None = None,
    register: str = "",
    today: dt.date | None = None,
    notes: list[str] | None = None,
    follow_through_days: int = FOLLOW_THROUGH_DAYS,
    quality: QualityTargets | None = None,
    commentary: Commentary | None = None,
    staff: StaffIndex | None = None,
) -> ReportModel:
    """Arrange the quarter's *assessment* as the report (with the action register's completions, the
    quality targets trends are judged against and the PSW's commentary)."""
    q = assessment.quarter
    quality = quality or QualityTargets()
    today = today or dt.date.today()
    as_of = min(q.end, today)
    previous_q = q.previous()
    redactor = Redactor.from_submissions(catalogue, assessment.everything)
    sourcer = Sourcer(catalogue, redactor)
    current = _by_form(referenced(assessment.submissions))
    previous = _by_form(referenced(assessment.previous))
    try:
        ccr_spec = catalogue.get("ccr")
    except KeyError:
        raise ReportError(
            "The form catalogue has no 'ccr' (collaborative case review) form, which the report is built around. "
            "Restore form_templates/ccr.yaml in the workspace."
        ) from None
    practice = practice_quality(ccr_spec, current.get("ccr", []), previous.get("ccr", []), previous_q.label, sourcer.clean)
    dips = dip_samples(catalogue, current.get("dip_sample", []), sourcer.clean, sourcer.text)
    # Children sampled is the assessment's count (a child entered twice by one auditor counts once), so the
    # summary, section 4 and the activity table say the same number.
    dips.children = next(line.received for line in assessment.compliance.activities if line.key == "dip_sample")
    thematic = thematic_audits(catalogue, current.get("thematic_audit", []), sourcer.clean, sourcer.text)
    observed = observations(catalogue, current.get("observation", []), sourcer)
    supervision = supervision_audits(catalogue, current.get("supervision_audit", []), sourcer)
    # §6.7: what a practitioner was observed or audited on is attributed to their team and role, never their name.
    for points, form, subject in ((observed.strengths, "observation", "practitioner"), (observed.development, "observation", "practitioner"),
                                  (supervision.strengths, "supervision_audit", "supervisee"), (supervision.worries, "supervision_audit", "supervisee")):
        attribute_to_team(points, current.get(form, []), subject, staff or {}, sourcer.clean)
    collated = collate_summaries(current.get("hos_summary", []) + current.get("service_summary", []), sourcer)
    families = child_family_feedback(catalogue, current.get("child_family_feedback", []), sourcer)
    staff = staff_feedback(catalogue, current.get("staff_feedback", []), sourcer)
    equality = edi(catalogue, [s for subs in current.values() for s in subs], sourcer)
    actions = ledger.build_ledger(
        ledger.collect_actions(referenced(assessment.to_date), sourcer.title, sourcer.clean, sourcer.text),
        q, as_of, completions or {}, register,
    )
    activity = activity_section(catalogue, assessment, sourcer.clean)
    learning = Learning(
        priorities=learning_priorities(practice, dips, thematic, supervision, equality),
        requested=learning_requests(current.get("hos_summary", []), current.get("staff_feedback", []), sourcer),
    )
    all_current = [s for subs in current.values() for s in subs]
    count = assessment.rejected
    reasons = _reason_redactor(catalogue, assessment.everything)
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
        rejections=Rejections(count.total, count.resolved, count.outstanding),
        rejected=[_rejected(rejection, catalogue, reasons) for rejection in assessment.rejections],
        service_areas=service_area_drafts(catalogue, q.label, current, previous, previous_q.label, sourcer),
        notes=list(notes or []),
        hos_activity=hos_activity(current.get("hos_summary", []), sourcer),
        agreement=moderation_agreement(catalogue, referenced(assessment.to_date), q, sourcer.clean),
        evidence=build_evidence(catalogue, current, referenced(assessment.to_date), assessment.everything,
                                actions.all_actions, q.label, as_of, sourcer, follow_through_days),
    )
    history = referenced(assessment.to_date)
    model.trends = ccr_trends(ccr_spec, [s for s in history if s.form == "ccr"], q, quality)
    model.carried = carried_learning(ccr_spec, history, q, quality, completions or {}, sourcer, register)
    model.figures = key_figures(model)
    model.messages = key_messages(model)
    model.front = build_front(model, quality, commentary)  # last: page one draws on every section
    return model


def referenced(submissions: list[StoredSubmission]) -> list[StoredSubmission]:
    """*submissions* as the report sees them: each file known by its reference, never by its name."""
    return [dataclasses.replace(s, file=submission_ref(s.id)) for s in submissions]


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


def _sources(submissions: list[StoredSubmission], sourcer: Sourcer) -> list[SourceFile]:
    files = [
        SourceFile(submission_ref(s.id), sourcer.title(s), sourcer.clean(s.author), s.received_at[:10], sourcer.clean(s.child_id))
        for s in submissions
    ]
    return sorted(files, key=lambda f: (f.form, f.ref))


def _rejected(rejection: Rejection, catalogue: Catalogue, reasons: Redactor) -> RejectedFile:
    form = rejection.form or ""
    try:
        form = catalogue.get(*(form.split("/", 1) if "/" in form else (form,))).display_title if form else "Not identified"
    except KeyError:
        pass
    return RejectedFile(
        rejection.ref,
        rejection.at[:16].replace("T", " "),
        form,
        rejection.quarter if rejection.quarter_read else f"{rejection.quarter} (not read from the file)",
        [reasons.text(problem) for problem in rejection.reasons],
        rejection.resolved_by or "",
        (rejection.resolved_at or "")[:10],
    )


def _reason_redactor(catalogue: Catalogue, submissions: list[StoredSubmission]) -> Redactor:
    # A reason belongs to the file it is shown against: a child's name typed in it is replaced by
    # '[child]', never by an ID taken from another file (a later, corrected resubmission's).
    anonymous = (dataclasses.replace(s, child_id=None, spec=None) for s in submissions)  # no spec: no row reads a child ID
    return Redactor.from_submissions(catalogue, anonymous)
