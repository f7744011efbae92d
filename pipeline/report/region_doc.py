"""The region comparison as a Word document: councils by code (or name where allowed), counts only."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from ..quarter import Quarter
from .publish import publish, staging_folder
from .word import fixed_table, para, set_up


def region_file_name(quarter: Quarter) -> str:
    """The document's name in outbox/<quarter>/."""
    return f"Region-comparison-{quarter.label}.docx"


def write_region_document(figures: list, quarter: Quarter, out: Path) -> Path:
    """Write the comparison into *out* (the previous version kept under previous/); its path."""
    from ..region import NOT_SHARED

    document = Document()
    set_up(document)
    para(document, f"Region comparison {quarter.label}", "Title")
    para(document, f"{len(figures)} council(s) taking part. Councils appear by their code unless a council allows its "
                   "name. Only counts and percentages are shown: no child ID, name or file name.")
    para(document, "Activity against the minimums", "Heading 1", keep=True)
    rows = [["Council", "Activity", "Counted", "Minimum", "RAG"]]
    for council in figures:
        if council.activities is None:
            rows.append([council.council, NOT_SHARED, "", "", ""])
        rows += [[council.council, a.activity, str(a.counted), str(a.minimum), a.rag] for a in council.activities or ()]
    fixed_table(document, rows, widths=[3.0, 8.0, 2.0, 2.0, 2.0])
    para(document, "CCR grades (moderated grade where there is one)", "Heading 1", keep=True)
    grades = list(figures[0].grades) if figures else []
    fixed_table(document, [["Council", "Reviews", *grades]] +
                [[c.council, str(c.reviews), *(str(c.grades[g]) for g in grades)] for c in figures])
    para(document, "Moderation agreement", "Heading 1", keep=True)
    para(document, "Of the CCRs a moderator graded, the percentage where the moderator kept the reviewer's grade.")
    fixed_table(document, [["Council", "Moderated", "Kept the reviewer's grade", "Agreement"]] +
                [[c.council, str(c.moderated), str(c.agreed), "-" if c.agreement_percent is None else f"{c.agreement_percent:g}%"]
                 for c in figures])
    staging = staging_folder(out)
    document.save(staging / region_file_name(quarter))
    published, _previous, _notes = publish(staging, out, [staging / region_file_name(quarter)])
    return published[0]
