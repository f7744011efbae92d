"""The draft vignettes as their own Word document beside the report, written once and never replaced.

The PSW edits this file in Word before the report is final; a later `qa report` (or the watcher's
draft report) leaves an existing copy alone, so an edit is never lost. Delete the file to have it
drafted again from the returns.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ..errors import message
from .vignettes import Vignettes
from .word import para, set_up


def vignettes_document(vignettes: Vignettes, quarter: str) -> bytes:
    """The vignettes as .docx bytes, marked DRAFT in the header, the title and before each case."""
    from docx import Document

    document = Document()
    set_up(document)
    section = document.sections[0]
    section.different_first_page_header_footer = False
    section.header.paragraphs[0].add_run(f"DRAFT · OFFICIAL-SENSITIVE · case vignettes {quarter}")
    para(document, f"Case vignettes {quarter} — DRAFT", "Title")
    para(document, [(vignettes.note, "i")])
    para(document, [("Delete this line and every 'DRAFT' mark once the vignettes have been edited and checked: "
                     "nothing in a vignette should let a reader identify the child, the family or the worker.", "i muted")])
    for number, vignette in enumerate(vignettes.cases, 1):
        para(document, f"Vignette {number} (DRAFT): {vignette.heading}", "Heading 2")
        para(document, [(vignette.context, "i muted")])
        para(document, "What made a difference", "Heading 3")
        para(document, vignette.difference or "[Not recorded on the review.]")
        para(document, "What needs to happen", "Heading 3")
        para(document, vignette.needs or "[Not recorded on the review.]")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_vignettes(out: Path, vignettes: Vignettes, quarter: str) -> str | None:
    """Write the vignettes file in *out* unless one is there already (the PSW's copy); a note saying which, or None."""
    if not vignettes.cases:
        return None
    target = out / vignettes.file
    if target.exists():
        return str(message("evidence_vignettes_kept", file=target))
    out.mkdir(parents=True, exist_ok=True)
    temporary = out / f".{vignettes.file}.tmp"
    temporary.write_bytes(vignettes_document(vignettes, quarter))
    try:
        os.link(temporary, target)  # fails if the PSW's copy appeared meanwhile: it is never replaced
    except FileExistsError:
        pass
    except OSError:  # a share without hard links: create exclusively, still never replacing a copy
        try:
            with open(target, "xb") as handle:
                handle.write(temporary.read_bytes())
        except FileExistsError:
            pass
    finally:
        temporary.unlink()
    return str(message("evidence_vignettes_written", count=len(vignettes.cases), file=target))
