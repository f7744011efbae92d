"""`qa report --year 2022-23`: build the PSW's annual report from each quarter's report model and put it in
outbox/<year>/ through the quarterly report's publish path (written beside, renamed over, the previous kept)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PipelineError
from ..spec import Catalogue
from ..store import Store
from ..workspace import Workspace
from . import actions as ledger
from .annual import build_annual, parse_year, year_quarters
from .annual_template import ANNUAL_TEMPLATE_NAME, build_annual_template
from .model import build_model, plain


@dataclass
class AnnualResult:
    report: Path
    template: Path
    data: dict
    previous: Path | None = None
    notes: list[str] = field(default_factory=list)


def annual_name(year: str) -> str:
    return f"PSW-annual-QA-report-{year}.docx"


def ensure_annual_template(workspace: Workspace) -> Path:
    """The workspace's annual template, written the first time (never over the admin's copy)."""
    path = workspace.root / "form_templates" / ANNUAL_TEMPLATE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(build_annual_template())
        temporary.replace(path)
    return path


def build_annual_report(workspace: Workspace, catalogue: Catalogue, store: Store, year: str, out_dir: Path | None = None,
                        *, today: dt.date | None = None) -> AnnualResult:
    """Render the annual report for *year* ('2022-23') into *out_dir* (default outbox/<year>/)."""
    from ..compliance import assess_workspace
    from .publish import publish, staging_folder
    from .render import render_report

    start = parse_year(year)
    today = today or dt.date.today()
    label = f"{start}-{(start + 1) % 100:02d}"
    register = workspace.root / "admin" / ledger.REGISTER_NAME
    completions = ledger.read_register(register)
    models, statuses = {}, {}
    for quarter in year_quarters(start):
        if quarter.start > today:
            continue
        assessment = assess_workspace(workspace, store, quarter, catalogue)
        if quarter.end >= today and not assessment.submissions:
            continue  # begun, not ended, nothing returned yet
        models[quarter] = build_model(catalogue, assessment, completions=completions,
                                      register=str(register.relative_to(workspace.root)) if completions else "", today=today)
        statuses[quarter] = "Ended" if quarter.end < today else "In progress"
    notes = [f"{q.label} is still in progress: its figures are as at {today:%d/%m/%Y}." for q, s in statuses.items()
             if s == "In progress"]
    model = build_annual(start, models, statuses, _plan(workspace), today, notes)
    data = plain(model)
    template = ensure_annual_template(workspace)
    out = out_dir or workspace.outbox / label
    made_out = not out.exists()
    staging = staging_folder(out)
    name = annual_name(label)
    try:
        (staging / name).write_bytes(render_report(template, data, _charts(data), {}))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if made_out and not any(out.iterdir()):
            out.rmdir()
        raise
    published, previous, notes_locked = publish(staging, out, [staging / name])
    return AnnualResult(published[0], template, data, previous, notes + notes_locked)


def _plan(workspace: Workspace):
    from ..admin import read_plan

    if not workspace.plan_path.exists():
        return []
    try:
        return read_plan(workspace.plan_path)
    except PipelineError as err:
        return getattr(err, "good", [])  # the good rows of a plan with a bad row


def _charts(data: dict) -> dict[str, bytes]:
    """A 100% bar of CCR grades of record per quarter (the quarterly report's domain chart, one bar per quarter)."""
    import matplotlib

    from .charts import _font_family, domain_bars

    rows = [g for g in data["grades"] if g["reviews"]]
    if not rows:
        return {}
    distributions = [{"label": g["quarter"], "grades": [{"count": count, "percent": 100 * count / sum(g["counts"])}
                                                         for count in g["counts"]]} for g in rows]
    with matplotlib.rc_context({"font.family": _font_family()}):
        title = "CCR grades of record (moderated where moderated) by quarter, % of the quarter's reviews"
        return {"grades": domain_bars(distributions, title)}
