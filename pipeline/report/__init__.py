"""The quarterly DLT report: model from the store, charts, Word rendering, drafts and the action ledger.

Only this package (with the template builders and readers) imports docxtpl, matplotlib and the
Office libraries; :func:`build_report` is the one entry point the CLI calls.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PipelineError
from ..quarter import Quarter
from ..spec import Catalogue
from ..store import Store
from ..workspace import Workspace
from . import actions as ledger
from .model import ReportModel, build_model, parse_quarter
from .vignettes_word import write_vignettes

__all__ = ["ReportResult", "build_report", "build_model", "ReportModel"]


@dataclass
class ReportResult:
    """What `qa report` wrote, and the data the documents were rendered from."""

    report: Path
    ledger: Path
    drafts: list[Path]
    template: Path
    data: dict
    notes: list[str] = field(default_factory=list)
    previous: Path | None = None  # where the version it replaced was kept

    @property
    def paths(self) -> list[Path]:
        """Every file written, the report first."""
        return [self.report, self.ledger, *self.drafts]


def build_report(
    workspace: Workspace,
    catalogue: Catalogue,
    store: Store,
    quarter: str | Quarter,
    out_dir: Path | None = None,
    *,
    today: dt.date | None = None,
) -> ReportResult:
    """Build and render the DLT report for *quarter* into *out_dir* (default outbox/<quarter>/).

    A second run replaces the report, ledger and drafts under the same names, each atomically, and
    keeps the version it replaced under previous/<when it was made>/ (see publish.py).
    """
    from .charts import render_charts
    from .render import draft_paths, render_report, write_drafts
    from .publish import publish, staging_folder
    from .template import ensure_template, template_path

    from ..compliance import assess_workspace
    from .performance import performance_section

    notes: list[str] = []
    q = parse_quarter(quarter)
    assessment = assess_workspace(workspace, store, q, catalogue, today=today)  # the one source of every figure; no roster: the error says how
    dlt_date = _dlt_date(workspace, q, notes)
    register = workspace.root / "admin" / ledger.REGISTER_NAME
    completions = ledger.read_register(register)
    from .front import read_commentary
    from .redact import Redactor
    from .staff import staff_index
    from .trends import load_quality_targets
    from ..admin import read_roster

    quality = load_quality_targets(workspace.targets_path)
    commentary = read_commentary(workspace.root / "admin", q.label, Redactor.from_submissions(catalogue, assessment.everything).text)
    model = build_model(
        catalogue,
        assessment,
        completions=completions,
        register=str(register.relative_to(workspace.root)) if completions else "",
        today=today,
        notes=notes,
        follow_through_days=_follow_through_days(workspace),
        quality=quality,
        commentary=commentary,
        staff=staff_index(read_roster(workspace.roster_path)),
    )
    model.performance = performance_section(workspace.root, q)
    out = out_dir or workspace.outbox / q.label
    ledger_name, report_name = f"action-ledger-{q.label}.xlsx", f"QA-report-{q.label}.docx"
    template = ensure_template(template_path(workspace.root))
    # Everything is written into a hidden staging folder first and only then put in place: a broken
    # template tag leaves no half-made set of files behind, and a reader never opens half a file.
    made_out = not out.exists()
    staging = staging_folder(out)
    try:
        drafts = draft_paths(catalogue, model.service_areas, q.label, staging / "drafts")
        data = model.to_json()
        extra = {
            "dlt_date": dlt_date.isoformat() if dlt_date else "",
            "ledger_file": ledger_name,
            "drafts_folder": f"{out.name}/drafts" if drafts else "",
        }
        document = render_report(template, data, render_charts(data), extra)
        write_drafts(catalogue, model.service_areas, drafts, q.label, dlt_date)
        (staging / ledger_name).write_bytes(ledger.ledger_workbook(model.actions))
        (staging / report_name).write_bytes(document)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if made_out and not any(out.iterdir()):
            out.rmdir()
        raise
    published, previous, locked_notes = publish(staging, out, [staging / report_name, staging / ledger_name, *drafts])
    report_path, ledger_path, *draft_files = published
    notes += [note for note in [write_vignettes(out, model.evidence.vignettes, q.label)] if note]  # never replaces the PSW's copy
    return ReportResult(report_path, ledger_path, draft_files, template, data, notes + locked_notes, previous)


def _follow_through_days(workspace: Workspace) -> int:
    from ..config import load_config

    return load_config(workspace.root).follow_through_days


def _dlt_date(workspace: Workspace, quarter: Quarter, notes: list[str]) -> dt.date | None:
    # A quarter is reported to the first DLT meeting the plan lists after the quarter ends (Appendices 7–8).
    if not workspace.plan_path.exists():
        return None
    from ..admin import read_plan

    try:
        plan = read_plan(workspace.plan_path)
    except PipelineError as err:
        notes.append(f"The QA plan could not be read, so the DLT date is not shown: {err}")
        return None
    dates = sorted(entry.dlt_date for entry in plan if entry.dlt_date and entry.dlt_date > quarter.end)
    return dates[0] if dates else None
