"""`qa region report`: councils sharing one PostgreSQL database, compared by code, by counts only."""

from __future__ import annotations

import json

from click.testing import CliRunner
from docx import Document

from answers import QUARTER, full_answers
from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.store import Store
from pipeline.validate import Submission
from pipeline.workspace import Workspace


def qa(workspace, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args], catch_exceptions=False)


def council(tmp_path, code: str, settings: str) -> Workspace:
    workspace = Workspace(tmp_path / code.lower()).ensure()
    (workspace.root / "qa.yaml").write_text(f"council: {code}\n{settings}", encoding="utf-8")
    return workspace


def review(catalogue, child: str, overall: str, moderated: str | None) -> Submission:
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    values[spec.role_field("child_id").id] = child
    values[spec.role_field("overall_grade").id] = overall
    values[spec.role_field("moderated_grade").id] = moderated
    return Submission(spec.id, None, spec.version, values, groups, spec=spec)


def store_reviews(workspace: Workspace, catalogue, reviews: list[tuple[str, str, str | None]]) -> None:
    with Store(workspace.store_path) as store:
        for n, (child, overall, moderated) in enumerate(reviews):
            store.save(review(catalogue, child, overall, moderated), file=f"{child}.docx", sha256=f"{workspace.root.name}{n}",
                       claim=f"{workspace.root.name}-{n}", destination=f"archive/{child}.docx")


def test_the_region_report_compares_opted_in_councils_by_code_and_counts_only(tmp_path, catalogue, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    sth = council(tmp_path, "STH", "council_name: St Helens\nregion_opt_in: yes\nregion_show_name: yes\n")
    wig = council(tmp_path, "WIG", "council_name: Wigan\nregion_opt_in: yes\n")
    kno = council(tmp_path, "KNO", "council_name: Knowsley\n")
    write_examples(sth)  # St Helens has a roster, so its activity against the minimums can be judged
    store_reviews(sth, catalogue, [("C9101", "Good", "Good"), ("C9102", "Good", "Requires improvement"),
                                   ("C9103", "Inadequate", None)])
    store_reviews(wig, catalogue, [("C9201", "Outstanding", "Outstanding")])
    store_reviews(kno, catalogue, [("C9301", "Good", None)])

    result = qa(wig, "region", "report", "--quarter", QUARTER)
    as_json = json.loads(qa(sth, "region", "report", "--quarter", QUARTER, "--json").output)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Region comparison for {QUARTER}: 2 council(s) taking part (codes unless a council shows its name)."
    assert [c["council"] for c in as_json["councils"]] == ["St Helens", "WIG"]
    st_helens, wigan = as_json["councils"]
    assert (st_helens["reviews"], st_helens["grades"], st_helens["moderated"], st_helens["agreed"], st_helens["agreement_percent"]) == (
        3, {"Outstanding": 0, "Good": 1, "Requires improvement": 1, "Inadequate": 1}, 2, 1, 50.0)
    assert (wigan["reviews"], wigan["agreement_percent"], wigan["activities"]) == (1, 100.0, None)
    assert st_helens["activities"] and all(set(a) == {"activity", "minimum", "counted", "rag"} for a in st_helens["activities"])
    assert "  Activity against the minimums: not shared for this quarter yet (the council runs qa region report to share it)." in lines
    assert "  Moderation agreement: 100% (1 of 1 moderated review(s) kept the reviewer's grade)" in lines
    assert lines[-1] == f"Written: outbox/{QUARTER}/Region-comparison-{QUARTER}.docx"
    document = Document(wig.outbox / QUARTER / f"Region-comparison-{QUARTER}.docx")
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["St Helens", "2", "1", "50%"] in cells and ["WIG", "1", "1", "100%"] in cells
    assert ["St Helens", "3", "0", "1", "1", "1"] in cells
    shown = result.output + json.dumps(as_json) + json.dumps(cells) + "\n".join(p.text for p in document.paragraphs)
    for hidden in ("C91", "C92", "C93", "KNO", "Knowsley", "Wigan", "STH", "archive/"):
        assert hidden not in shown, hidden


def test_the_region_report_needs_the_shared_database(workspace, monkeypatch):
    monkeypatch.delenv("QA_DATABASE_URL", raising=False)

    result = qa(workspace, "region", "report", "--quarter", QUARTER)

    assert result.exit_code == 1
    assert result.output == "Error: " + message("region_needs_postgres", where=str(workspace.store_path)) + "\n"
