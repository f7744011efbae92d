"""The reports `qa watch` writes by itself: the DRAFT DLT report kept current, and the final report once.

Both are rendered by :func:`build_report`, the one path `qa report` takes. The draft is rendered in a
hidden folder, marked DRAFT in its header and first line, and put in place as
outbox/<Q>/DRAFT-QA-report-<Q>.docx by a rename (a reader never sees half a file). The final report
goes where `qa report` puts it, with 'Final' in its header; the watcher renders it once and never
over an existing report.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from pathlib import Path

from docx import Document
from docx.shared import Pt, RGBColor

from ..quarter import Quarter
from .publish import _lock_file, _locked
from ..spec import Catalogue
from ..store import Store
from ..workspace import Workspace


def draft_name(quarter: Quarter) -> str:
    return f"DRAFT-QA-report-{quarter.label}.docx"


def final_name(quarter: Quarter) -> str:
    return f"QA-report-{quarter.label}.docx"


def mark(document: bytes, header: str, banner: str | None = None) -> bytes:
    """*document* with *header* at the top of every page's header (and *banner* as its first line, in red)."""
    doc = Document(io.BytesIO(document))
    for section in doc.sections:
        section.header.is_linked_to_previous = False
        first = section.header.paragraphs[0] if section.header.paragraphs else section.header.add_paragraph()
        run = first.insert_paragraph_before().add_run(header)
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    if banner:
        body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
        run = body.insert_paragraph_before().add_run(banner)
        run.bold, run.font.size = True, Pt(16)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def locked(path: Path) -> bool:
    """Whether Excel or Word has *path* open: its owner file '~$…' lies beside it, or it cannot be opened for writing."""
    return _lock_file(path) or _locked(path)


def put_in_place(folder: Path, name: str, content: bytes) -> tuple[Path, Path | None]:
    """Write *content* beside *folder*/*name* and rename it over; if that file is open, the next free
    'name (2)' that is not. Returns (the path written, the locked path it stood in for, or None)."""
    folder.mkdir(parents=True, exist_ok=True)
    target, blocked = folder / name, None
    counter = 2
    while target.exists() and locked(target):
        blocked = blocked or target
        target = folder / f"{Path(name).stem} ({counter}){Path(name).suffix}"
        counter += 1
    handle, temp = tempfile.mkstemp(prefix=".writing-", suffix=Path(name).suffix, dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target, blocked


def render_draft(workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter, today: dt.date,
                 made_at: str, report_date: dt.date | None) -> tuple[Path, Path | None]:
    """Render the DRAFT report for *quarter* into outbox/<Q>/; returns (where, the locked file it stood in for)."""
    from . import build_report

    out = workspace.outbox / quarter.label
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".draft-", dir=out))
    try:
        result = build_report(workspace, catalogue, store, quarter, staging, today=today)
        when = f"the final report is rendered on {report_date:%d/%m/%Y}" if report_date else "the final report is rendered before DLT"
        content = mark(result.report.read_bytes(),
                       f"DRAFT — as at {made_at}. Figures change as forms arrive; {when}.",
                       f"DRAFT — not the final report ({quarter.label}, as at {made_at})")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return put_in_place(out, draft_name(quarter), content)


def render_final(workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter, today: dt.date) -> list[Path]:
    """Render the final report, ledger and service-area drafts for *quarter* as `qa report` does, marked final."""
    from . import build_report

    result = build_report(workspace, catalogue, store, quarter, today=today)
    content = mark(result.report.read_bytes(), f"Final report for {quarter.label}, rendered {today:%d/%m/%Y}")
    put_in_place(result.report.parent, result.report.name, content)
    return [result.report, result.ledger, *result.drafts]
