"""A rejected form's TO FIX copy: comments on the failing Word controls and Excel cells, and it re-ingests once fixed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from click.testing import CliRunner
from lxml import etree

from answers import full_answers
from filling import fill, fill_xlsx
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.templates.docx_fill import fill_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _ingest(workspace) -> str:
    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "ingest", "--settle", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def comments_by_control(docx: bytes) -> dict[str, str]:
    """Each comment's text by the tag of the content control its range starts in (read back from the XML)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        document = etree.fromstring(package.read("word/document.xml"))
        comments = etree.fromstring(package.read("word/comments.xml"))
    texts = {c.get(f"{{{W}}}id"): "".join(c.itertext()) for c in comments.iter(f"{{{W}}}comment")}
    found = {}
    assert len(texts) == len(list(document.iter(f"{{{W}}}commentRangeStart")))  # every comment anchored, once
    for start in document.iter(f"{{{W}}}commentRangeStart"):
        sdt = next(start.iterancestors(f"{{{W}}}sdt"), None)
        tag = sdt.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val") if sdt is not None else None
        end = document.find(f".//w:commentRangeEnd[@w:id='{start.get(f'{{{W}}}id')}']", NS)
        assert end is not None and next(end.iterancestors(f"{{{W}}}sdt"), None) is sdt  # the range closes in the same control
        assert tag not in found, f"two comments on {tag}"
        found[tag] = texts[start.get(f"{{{W}}}id")]
    return found


def _observation(catalogue, **changes):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    values.update(quarter="2022-23-Q3", completed_on=dt.date(2022, 11, 3), observation_date=dt.date(2022, 11, 1),
                  child_id="C00042", completed_by="Jo Bloggs")
    values.update(changes)
    return spec, values


def test_word_to_fix_copy_comments_each_failing_control_and_reingests_once_fixed(workspace, catalogue):
    spec, values = _observation(catalogue)
    del values["observer"]
    values["strengths"] = ""
    original = fill(spec, values)
    (workspace.inbox / "observation Jo.docx").write_bytes(original)
    output = _ingest(workspace)
    assert output.startswith("rejected  observation Jo.docx (observation)\n"), output
    rejected = workspace.rejected / "observation Jo.docx"
    to_fix = workspace.rejected / "observation Jo - TO FIX.docx"
    assert rejected.read_bytes() == original  # the author's file stays whole
    copy = to_fix.read_bytes()
    assert comments_by_control(copy) == {
        "observer": message("required", label="Name of observer"),
        "strengths": message("required", label="Identified strengths"),
    }
    # The author fills in the two boxes in the TO FIX copy and drops it back: accepted, and the rejection resolved.
    fixed = fill_docx(copy, spec, {"observer": "Jo Bloggs", "strengths": "Warm, curious questions."})
    (workspace.inbox / "observation Jo - TO FIX.docx").write_bytes(fixed)
    output = _ingest(workspace)
    assert output.startswith("accepted  observation Jo - TO FIX.docx (observation)\n"), output
    note = (workspace.rejected / "observation Jo.docx - WHY REJECTED.txt").read_text(encoding="utf-8")
    assert message("to_fix_note", name="observation Jo - TO FIX.docx") in note
    assert "the corrected file 'observation Jo - TO FIX.docx' was accepted as submission S-0001" in note
    assert rejected.read_bytes() == original


def test_date_outside_the_quarter_is_commented_on_its_own_control(workspace, catalogue):
    spec, values = _observation(catalogue, observation_date=dt.date(2022, 5, 1))  # outside the quarter
    (workspace.inbox / "obs.docx").write_bytes(fill(spec, values))
    _ingest(workspace)
    found = comments_by_control((workspace.rejected / "obs - TO FIX.docx").read_bytes())
    assert list(found) == ["observation_date"]
    assert found["observation_date"].startswith("Date of observation")


def test_to_fix_name_never_overwrites_a_file_already_there(workspace, catalogue):
    spec, values = _observation(catalogue)
    del values["practitioner"]
    (workspace.rejected / "obs - TO FIX.docx").write_bytes(b"someone else's file")
    (workspace.inbox / "obs.docx").write_bytes(fill(spec, values))
    _ingest(workspace)
    assert (workspace.rejected / "obs - TO FIX.docx").read_bytes() == b"someone else's file"
    assert "practitioner" in comments_by_control((workspace.rejected / "obs - TO FIX (2).docx").read_bytes())


def test_no_to_fix_copy_for_a_file_that_could_not_be_opened_safely(workspace, catalogue):
    spec, values = _observation(catalogue)
    data = fill(spec, values)
    (workspace.inbox / "half.docx").write_bytes(data[: len(data) // 2])
    output = _ingest(workspace)
    assert output.startswith("rejected  half.docx\n"), output
    assert sorted(p.name for p in workspace.rejected.iterdir()) == ["half.docx", "half.docx - WHY REJECTED.txt"]


def test_excel_to_fix_copy_comments_the_failing_cells_and_reingests_once_fixed(workspace, catalogue):
    spec = catalogue.find("dip_sample")
    values, groups = full_answers(spec, rows=3)
    values.update(quarter="2022-23-Q3", completed_on=dt.date(2022, 11, 3))
    rows = groups["children"]
    for number, row in enumerate(rows, 1):
        row["child_id"] = f"C1000{number}"
        row.pop("due_date", None)
    rows[1]["compliant"] = "Mostly"  # row 2: not one of the choices
    del rows[2]["finding"]  # row 3: required
    del values["auditor"]
    blank = fill(spec, {})
    original = fill_xlsx(blank, spec, values, groups)
    (workspace.inbox / "dip.xlsx").write_bytes(original)
    output = _ingest(workspace)
    assert output.startswith("rejected  dip.xlsx (dip_sample)\n"), output
    copy = (workspace.rejected / "dip - TO FIX.xlsx").read_bytes()
    assert (workspace.rejected / "dip.xlsx").read_bytes() == original
    workbook = openpyxl.load_workbook(io.BytesIO(copy))
    names = {name: next(iter(workbook.defined_names[name].destinations)) for name in
             ("auditor", "children.compliant", "children.finding")}

    def cell(name: str, offset: int = 0):
        sheet, ref = names[name]
        first = ref.replace("$", "").split(":")[0]
        column = "".join(ch for ch in first if ch.isalpha())
        return workbook[sheet][f"{column}{int(first[len(column):]) + offset}"]

    commented = {(c.parent.title, c.coordinate): c.comment.text for ws in workbook.worksheets for r in ws.iter_rows()
                 for c in r if c.comment}
    assert commented == {
        (cell("auditor").parent.title, cell("auditor").coordinate): message("required", label="Auditor"),
        (cell("children.compliant", 1).parent.title, cell("children.compliant", 1).coordinate):
            next(p for p in _problems(workspace) if p.startswith("Compliant with standards? (row 2)")),
        (cell("children.finding", 2).parent.title, cell("children.finding", 2).coordinate):
            message("required", label="Finding (row 3)"),
    }
    rows[1]["compliant"] = "Partly"
    rows[2]["finding"] = "Plan reviewed on time."
    fixed = fill_xlsx(copy, spec, {"auditor": values["completed_by"]}, {"children": rows})
    (workspace.inbox / "dip - TO FIX.xlsx").write_bytes(fixed)
    output = _ingest(workspace)
    assert output.startswith("accepted  dip - TO FIX.xlsx (dip_sample)\n"), output


def _problems(workspace) -> list[str]:
    note = (workspace.rejected / "dip.xlsx - WHY REJECTED.txt").read_text(encoding="utf-8")
    return [line.split(". ", 1)[1] for line in note.splitlines() if line.startswith("  ")]


def test_a_to_fix_copy_rejected_again_gets_a_fresh_copy_and_nothing_is_overwritten(workspace, catalogue):
    spec, values = _observation(catalogue)
    del values["observer"]
    (workspace.inbox / "obs.docx").write_bytes(fill(spec, values))
    _ingest(workspace)
    first_copy = (workspace.rejected / "obs - TO FIX.docx").read_bytes()
    (workspace.inbox / "obs - TO FIX.docx").write_bytes(first_copy)  # dropped back without fixing anything
    output = _ingest(workspace)
    assert output.startswith("rejected  obs - TO FIX.docx (observation)\n"), output
    assert sorted(p.name for p in workspace.rejected.iterdir()) == [
        "obs - TO FIX (2).docx", "obs - TO FIX (2).docx - WHY REJECTED.txt", "obs - TO FIX (3).docx",
        "obs - TO FIX.docx", "obs.docx", "obs.docx - WHY REJECTED.txt",
    ]
    assert (workspace.rejected / "obs - TO FIX.docx").read_bytes() == first_copy
    assert comments_by_control((workspace.rejected / "obs - TO FIX (3).docx").read_bytes()) == {
        "observer": message("required", label="Name of observer")}
