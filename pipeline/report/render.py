"""Render the report model into Word: the DLT report (docxtpl, autoescaped), the service-area drafts
(the Appendix 1 form itself, pre-filled) and the action-ledger workbook."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from jinja2 import Environment, Undefined

from ..errors import ReportError
from ..spec import Catalogue
from ..workspace import unique_path
from .drafts import AREA_ROLE, SUMMARY_FORM, ServiceAreaDraft

CHART_WIDTH_CM = 16.0


def jinja_environment() -> Environment:
    """Autoescaping Jinja with the few filters the template uses to format numbers and dates."""
    environment = Environment(autoescape=True, undefined=_Lenient)
    environment.filters.update(pct=format_percent, points=format_points, date=format_date, shortdate=format_short_date, dash=format_dash)
    return environment


class _Lenient(Undefined):
    """A tag an admin mistyped renders empty rather than failing the whole report."""


def format_percent(value: object) -> str:
    """67.5 → '68%'; None → '—'."""
    return "—" if value is None or value == "" else f"{float(value):.0f}%"  # type: ignore[arg-type]


def format_points(value: object) -> str:
    """Percentage-point change: '+5 points', '−3 points', 'no change', 'no previous quarter'."""
    if value is None or value == "":
        return "no previous quarter"
    number = float(value)  # type: ignore[arg-type]
    if round(number) == 0:
        return "no change"
    return f"{'+' if number > 0 else '−'}{abs(number):.0f} points"


def format_date(value: object) -> str:
    """'2022-12-31' → '31 December 2022' (text that is not an ISO date is shown as it is)."""
    return _format_day(value, "%B %Y")


def format_short_date(value: object) -> str:
    """'2022-12-31' → '31 Dec 2022', for table columns."""
    return _format_day(value, "%b %Y")


def _format_day(value: object, month_year: str) -> str:
    if not value:
        return "—"
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime(month_year)}"


def format_dash(value: object) -> object:
    """None → '—' (numbers that do not apply)."""
    return "—" if value is None else value


def render_report(template: Path, data: dict, charts: dict[str, bytes], extra: dict) -> bytes:
    """Render *template* with the model *data*, *charts* and *extra* ('doc.*'); return the .docx bytes."""
    from docx.shared import Cm
    from docxtpl import DocxTemplate, InlineImage

    try:
        document = DocxTemplate(str(template))
    except Exception as err:  # a template saved in another format, or damaged by an editor
        raise ReportError(
            f"{template}: the report template cannot be opened ({type(err).__name__}). "
            "Save it from Word as a .docx, or delete it to get the default back."
        ) from err
    images = {name: InlineImage(document, io.BytesIO(png), width=Cm(CHART_WIDTH_CM)) for name, png in charts.items()}
    context = dict(data, charts=images, doc=extra)
    try:
        document.render(context, jinja_environment(), autoescape=True)
    except Exception as err:  # a broken tag typed into the template by hand
        detail = getattr(err, "message", None) or str(err)
        raise ReportError(
            f"{template}: the report template has a broken tag ({detail}). Correct it in Word, "
            "or delete the file to get the default template back."
        ) from err
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def draft_paths(catalogue: Catalogue, drafts: list[ServiceAreaDraft], quarter: str, out_dir: Path) -> list[Path]:
    """Choose a new file for each area's draft (never an existing one) and note its name on the draft."""
    from ..templates import file_name

    try:
        spec = catalogue.get(SUMMARY_FORM)
    except KeyError:
        return []
    paths: list[Path] = []
    for draft in drafts:
        path = unique_path(out_dir, file_name(spec, quarter, _slug(draft.area), "draft"))
        while path in paths:  # two areas whose names differ only in punctuation
            path = path.with_name(f"{path.stem}-{len(paths)}{path.suffix}")
        draft.file = path.name
        paths.append(path)
    return paths


def write_drafts(catalogue: Catalogue, drafts: list[ServiceAreaDraft], paths: list[Path], quarter: str, dlt_date: dt.date | None) -> None:
    """Write each area's Appendix 1 summary as the real service-summary form, pre-filled, ready to return."""
    from ..templates.docx_fill import fill_docx
    from ..templates.docx_form import build_docx

    if not paths:
        return
    spec = catalogue.get(SUMMARY_FORM)
    blank = build_docx(spec)  # built once: each draft only fills it in
    for draft, path in zip(drafts, paths, strict=True):
        answers: dict[str, object] = {AREA_ROLE: draft.area, "quarter": quarter, "activity_undertaken": draft.activity}
        if dlt_date:
            answers["dlt_date"] = dlt_date
        values = spec.by_id(answers)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fill_docx(blank, spec, values))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
