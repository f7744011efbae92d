"""Word forms re-saved by LibreOffice: every answer lands in its own field, or the file is refused.

LibreOffice keeps the controls' order, their lists, dates and ticks, but drops the names of date
pickers, drop-downs and check boxes (and the line breaks inside multi-line boxes). Every Word form
in the catalogue is filled twice — every field and more rows than the form prints, then only the
required fields — re-saved by LibreOffice in one run for the whole session, and dropped in an inbox.
The oracle is the same file ingested as Word saved it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from answers import answer
from filling import fill
from pipeline.errors import message
from pipeline.ingest import examine, ingest_inbox
from pipeline.spec import Catalogue, FormSpec
from pipeline.store import Store
from pipeline.workspace import BUILTIN_SPECS, Workspace

SOFFICE = shutil.which("soffice")
# CI installs LibreOffice and sets this, so the re-save path is always exercised there.
REQUIRED = os.environ.get("QA_REQUIRE_LIBREOFFICE") == "1"
WORD_FORMS = [spec.key for spec in Catalogue.load(BUILTIN_SPECS) if spec.format == "docx"]
FILLINGS = ("every_field", "required_only")
CASES = [(key, filling) for key in WORD_FORMS for filling in FILLINGS]

pytestmark = pytest.mark.skipif(SOFFICE is None and not REQUIRED, reason="LibreOffice is not installed")


def answers(spec: FormSpec, filling: str) -> tuple[dict[str, object], dict[str, list[dict[str, object]]]]:
    """Answers that differ from field to field, so an answer in a neighbour's place cannot pass for its own."""
    values, groups, n = {}, {}, 0
    for item in spec.fields():
        n += 1
        values[item.id] = answer(item, n)
    for group in spec.groups():
        rows = group.rows + 2 if filling == "every_field" else 1  # more rows than printed: added in Word
        groups[group.id] = [{item.id: answer(item, n + 3 * row + col) for col, item in enumerate(group.fields)} for row in range(rows)]
    if filling == "required_only":
        conditional = {item.required_when.field for item in spec.fields() if item.required_when}
        for item in spec.fields():
            if not item.required and item.id not in conditional and not item.required_when:
                values[item.id] = False if item.type == "yes_no" else None
    return values, groups


def _file_name(key: str, filling: str) -> str:
    return f"{key.replace('/', '-')}-{filling}.docx"


@pytest.fixture(scope="session")
def resaved(tmp_path_factory) -> dict[tuple[str, str], tuple[bytes, bytes]]:
    """(form, filling) → (the file as Word saves it, the same file re-saved by LibreOffice): one LibreOffice run."""
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is required here (QA_REQUIRE_LIBREOFFICE=1) but is not installed")
    catalogue = Catalogue.load(BUILTIN_SPECS)
    folder = tmp_path_factory.mktemp("resave")
    originals = {}
    for key, filling in CASES:
        spec = catalogue.find(key)
        data = fill(spec, *answers(spec, filling))
        (folder / _file_name(key, filling)).write_bytes(data)
        originals[(key, filling)] = data
    out = folder / "out"
    profile = (folder / "profile").as_uri()  # a profile of its own: never shares a running LibreOffice's
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out), *(str(folder / _file_name(key, filling)) for key, filling in CASES)]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    return {case: (originals[case], (out / _file_name(*case)).read_bytes()) for case in CASES}


def _ingest(tmp_path: Path, name: str, data: bytes, catalogue: Catalogue):
    workspace = Workspace(tmp_path / name).ensure()
    (workspace.inbox / f"{name}.docx").write_bytes(data)
    with Store(workspace.store_path) as store:
        [outcome] = ingest_inbox(workspace, catalogue, store)
        return outcome, store.submissions()


def _same_words(stored: object, typed: object) -> bool:
    """LibreOffice keeps a long answer's words but drops the line breaks inside the box (and the space they made)."""
    return "".join(str(stored).split()) == "".join(str(typed).split())


@pytest.mark.parametrize("key, filling", CASES)
def test_every_answer_lands_in_its_own_field_or_the_file_is_refused(key, filling, resaved, catalogue, tmp_path):
    word, libreoffice = resaved[(key, filling)]
    spec = catalogue.find(key)
    long_text = {item.id for item in spec.fields() if item.type == "long_text"}
    long_text |= {item.id for group in spec.groups() for item in group.fields if item.type == "long_text"}
    expected, [original] = _ingest(tmp_path, "word", word, catalogue)
    assert expected.status == "accepted", expected.problems

    outcome, saved = _ingest(tmp_path, "libreoffice", libreoffice, catalogue)

    if outcome.status == "rejected":
        assert outcome.problems == [message("resaved_unplaceable")]
        assert saved == []
        return
    assert (outcome.status, outcome.problems, outcome.recovered) == ("accepted", [], True)
    [submission] = saved
    for field_id, value in original.values.items():
        got = submission.values.get(field_id)
        assert got == value or (field_id in long_text and _same_words(got, value)), field_id
    assert set(submission.values) == set(original.values)
    for group_id, rows in original.groups.items():
        assert len(submission.groups[group_id]) == len(rows), group_id
        for number, (got_row, row) in enumerate(zip(submission.groups[group_id], rows), 1):
            for field_id, value in row.items():
                got = got_row.get(field_id)
                assert got == value or (field_id in long_text and _same_words(got, value)), f"{group_id} row {number}: {field_id}"


@pytest.mark.parametrize("key", WORD_FORMS)
def test_a_form_resaved_by_libreoffice_is_read_by_its_layout_and_says_so(key, resaved, catalogue):
    _, libreoffice = resaved[(key, "every_field")]

    examined = examine(_file_name(key, "every_field"), libreoffice, catalogue)

    assert examined.problems == []
    assert examined.recovered is True


def test_qa_ingest_says_a_resaved_file_was_read_by_its_layout_and_the_store_records_it(resaved, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    _, libreoffice = resaved[("ccr", "every_field")]
    workspace = Workspace(tmp_path / "ws").ensure()
    (workspace.inbox / "review.docx").write_bytes(libreoffice)

    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "ingest", "--settle", "0"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["accepted  review.docx (ccr)", f"          · {message('recovered_by_layout')}"]
    with Store(workspace.store_path) as store:
        assert [s.recovered for s in store.submissions()] == [True]
