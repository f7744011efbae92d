"""qa sample and qa issue --from-sample: the children chosen, how, and the forms issued for them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.read.docx_reader import read_docx
from pipeline.read.package import open_package
from pipeline.read.xlsx_reader import read_xlsx
from pipeline.spec import Catalogue
from tests.answers import full_answers
from tests.filling import fill

QUARTER = "2022-23-Q3"
TODAY = "2022-11-20"
HEADINGS = ["Child ID", "Child name", "Team", "Level of need", "Allocated worker", "Team manager", "Open date"]
# (team, its manager, its workers, its levels of need, how many children)
TEAMS = [
    ("Assessment", "Sarah Lowe", ["Ben Carter", "Aisha Begum"], ["Child in need", "Child protection"], 40),
    ("Child protection", "Anil Mistry", ["Hannah Price"], ["Child protection"], 35),
    ("Children we look after", "Claire Benson", ["Megan Hale"], ["Child we look after"], 30),
    ("Care leavers", "Tom Reilly", ["Zoe Marsh"], ["Care leaver"], 15),
    ("Early help", "Joanne Pike", ["Kirsty Lloyd"], ["Early help"], 30),
]


def qa(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


def caseload_rows() -> list[list[str]]:
    rows, number = [], 100000
    for team, manager, workers, levels, count in TEAMS:
        for n in range(count):
            rows.append([f"C{number}", f"Child{number} Surname", team, levels[n % len(levels)], workers[n % len(workers)],
                         manager, "01/04/2022"])
            number += 1
    return rows


def write_csv(path: Path, rows: list[list[str]], headings: list[str] = HEADINGS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        writer.writerows(rows)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    write_csv(root / "admin" / "caseload.csv", caseload_rows())
    return root


def frame_of(result) -> dict:
    line = next(line for line in result.output.splitlines() if line.startswith("How it was drawn: "))
    return json.loads(Path(line.removeprefix("How it was drawn: ")).read_text(encoding="utf-8"))


def sample(root: Path, *args: str):
    return qa(root, "sample", *args, "--quarter", QUARTER, "--today", TODAY)


def test_a_ccr_sample_spreads_across_levels_of_need_and_teams_in_proportion(root):
    result = sample(root, "ccr", "--seed", "42")
    assert result.exit_code == 0, result.output
    folder = root / "outbox" / "samples" / QUARTER
    assert result.output.splitlines() == [
        f"Sample of 20 children for {QUARTER} (seed 42) from 150 in caseload.csv: 0 left out as reviewed or sampled in "
        "the last 12 months, 0 rows unusable.",
        f"Sample to check and edit: {folder / f'ccr-sample-{QUARTER}.xlsx'}",
        f"How it was drawn: {folder / f'ccr-sample-{QUARTER}-frame.json'}",
        f"Then: qa issue --from-sample \"{folder / f'ccr-sample-{QUARTER}.xlsx'}\"",
    ]
    frame = frame_of(result)
    strata = {(s["level_of_need"], s["team"]): (s["eligible"], s["drawn"]) for s in frame["strata"]}
    # Every stratum at least one, the rest by the largest remainder of 20 × eligible / 150 (2, 2.67, 2.67,
    # 4.67, 4, 4): the two places left go to 4.67 and to one 2.67 (the larger stratum, then the later name).
    assert strata == {
        ("Care leaver", "Care leavers"): (15, 2), ("Child in need", "Assessment"): (20, 2),
        ("Child protection", "Assessment"): (20, 3), ("Child protection", "Child protection"): (35, 5),
        ("Child we look after", "Children we look after"): (30, 4), ("Early help", "Early help"): (30, 4),
    }
    assert len({child["child_id"] for child in frame["sample"]}) == 20
    assert {key: frame[key] for key in ("form", "quarter", "drawn_on", "seed", "size_asked", "size_drawn")} == {
        "form": "ccr", "quarter": QUARTER, "drawn_on": TODAY, "seed": 42, "size_asked": 20, "size_drawn": 20}
    assert len(frame["extract"]["sha256"]) == 64 and frame["extract"]["rows"] == 150
    assert "Surname" not in json.dumps(frame)  # no child's name in the frame
    book = openpyxl.load_workbook(folder / f"ccr-sample-{QUARTER}.xlsx")
    assert [c.value for c in book["Sample"][1]] == ["Child ID", "Team", "Level of need", "Social worker",
                                                     "Team manager", "Open date", "Why chosen", "Lead reviewer"]
    assert book["Sample"].max_row >= 21 and "Surname" not in str([[c.value for c in r] for r in book["Sample"].iter_rows()])
    guide = [row[0] for row in book["Read me"].iter_rows(values_only=True) if row[0]]
    assert guide[:4] == [f"CCR sample for {QUARTER}", "Form: ccr", f"Quarter: {QUARTER}", "Drawn on: 20/11/2022"]


def test_the_same_extract_and_seed_give_the_same_sample_whatever_the_row_order(root):
    first = frame_of(sample(root, "ccr", "--seed", "7"))
    rows = caseload_rows()
    random.Random(1).shuffle(rows)
    shuffled = write_csv(root / "shuffled.csv", rows)
    again = sample(root, "ccr", "--seed", "7", "--extract", str(shuffled))
    assert again.exit_code == 0, again.output
    assert f"ccr-sample-{QUARTER} (2).xlsx" in again.output  # the first sample is never overwritten
    assert frame_of(again)["sample"] == first["sample"]
    assert frame_of(sample(root, "ccr", "--seed", "8"))["sample"] != first["sample"]


def ingest_ccr(root: Path, catalogue: Catalogue, child_id: str, grade: str = "Good", bordering: str | None = None) -> None:
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec, rows=1)
    values |= {spec.role_field("child_id").id: child_id, spec.role_field("overall_grade").id: grade,
               spec.role_field("moderated_grade").id: None}
    if bordering and spec.role_field("bordering_good") is not None:
        values[spec.role_field("bordering_good").id] = bordering
    (root / "inbox" / f"ccr-{child_id}.docx").write_bytes(fill(spec, values, groups))
    result = qa(root, "ingest", "--settle", "0")
    assert "accepted" in result.output, result.output


def test_children_reviewed_in_the_last_12_months_are_left_out_with_the_reason(root, catalogue):
    ingest_ccr(root, catalogue, "C100005")
    frame = frame_of(sample(root, "ccr", "--seed", "1", "--size", "150"))
    assert frame["excluded"] == [{"child_id": "C100005", "reason": "reviewed (CCR) on 02/11/2022"}]
    assert "C100005" not in {child["child_id"] for child in frame["sample"]} and frame["size_drawn"] == 149
    later = qa(root, "sample", "ccr", "--quarter", "2023-24-Q3", "--today", "2023-12-01", "--seed", "1", "--size", "150")
    assert frame_of(later)["excluded"] == []  # 13 months on, the child may be chosen again


def test_children_judged_bordering_good_are_taken_first_up_to_the_share(root, catalogue):
    ingest_ccr(root, catalogue, "C100005")  # reviewed recently: left out, unless judged bordering Good
    write_csv(root / "admin" / "bordering-good.csv", [["C100005"], ["C100050"], ["C100060"], ["C100140"], ["C999999"]],
              headings=["Child ID"])
    frame = frame_of(sample(root, "ccr", "--seed", "3"))
    taken = sorted(c["child_id"] for c in frame["sample"] if c["reason"] != "Cross-sample")
    assert taken == ["C100005", "C100050", "C100060", "C100140"]
    assert {c["reason"] for c in frame["sample"] if c["child_id"] in taken} == {
        "Previously Requires improvement or Inadequate, bordering Good"}
    assert frame["bordering_good"] | {"taken": sorted(frame["bordering_good"]["taken"])} == {
        "percent": 25, "at_most": 5, "candidates": 4, "admin_list": "admin/bordering-good.csv", "taken": taken}
    assert frame["notes"] == ["c999999 is listed as bordering Good but is not in the caseload extract (case closed?)."]
    assert frame["size_drawn"] == 20

    (root / "qa.yaml").write_text("sample_bordering_good_percent: 10\n", encoding="utf-8")
    capped = frame_of(sample(root, "ccr", "--seed", "3"))
    assert len(capped["bordering_good"]["taken"]) == 2 and capped["size_drawn"] == 20


def test_bad_rows_of_the_extract_are_reported_by_row_and_left_out(root):
    rows = caseload_rows()[:30] + [
        ["", "A Name", "Assessment", "Child in need", "", "", ""],
        ["Jayden Smith", "A Name", "Assessment", "CP", "", "", "31/02/2022"],
        ["C100003", "A Name", "", "Child in need", "", "", ""],
    ]
    write_csv(root / "admin" / "caseload.csv", rows)
    result = CliRunner().invoke(cli, ["--workspace", str(root), "sample", "ccr", "--quarter", QUARTER,
                                                      "--today", TODAY, "--seed", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    left_out = "The row is left out of the sample: correct it in the extract to include the child."
    expected = [
        f"caseload.csv row 32: Child ID is empty. {left_out}",
        "caseload.csv row 33: Child ID (not shown here) is not in the form of a child's ID. Level of need 'CP' is not "
        "one of Early help, Child in need, Child protection, Child we look after, Care leaver. Open date '31/02/2022' is "
        f"not a date. {left_out}",
        f"caseload.csv row 34: Child ID repeats row 5. Team is empty. {left_out}",
    ]
    assert result.stderr.splitlines() == [f"Note: {line}" for line in expected]
    assert "Jayden" not in result.stderr
    assert result.stdout.splitlines()[0].endswith("from 30 in caseload.csv: 0 left out as reviewed or sampled in the "
                                                  "last 12 months, 3 rows unusable.")
    assert frame_of(result)["extract"]["rows_left_out"] == expected


def test_an_extract_without_a_mapped_column_says_which_setting_names_it(root):
    write_csv(root / "admin" / "caseload.csv", [["C1001", "Assessment", "Child in need"]],
              headings=["CHILD REF", "Team", "Level of need"])
    result = sample(root, "ccr")
    assert (result.exit_code, result.output) == (1, "Error: caseload.csv row 1: no 'Child ID' column (the headings there "
                                                    "are 'CHILD REF', 'Team', 'Level of need'). Set caseload_child_id_column "
                                                    "in qa.yaml to the heading your extract uses.\n")
    (root / "qa.yaml").write_text("caseload_child_id_column: child ref\n", encoding="utf-8")
    result = sample(root, "ccr")
    assert result.exit_code == 0, result.output
    assert frame_of(result)["sample"] == [{"child_id": "C1001", "team": "Assessment", "level_of_need": "Child in need",
                                          "reason": "Cross-sample"}]


def test_an_xlsx_extract_is_read_as_exported(root):
    book = openpyxl.Workbook()
    book.active.append(HEADINGS)
    for row in caseload_rows()[:12]:
        book.active.append([row[0], row[1], row[2], row[3].upper(), row[4], row[5], dt.datetime(2022, 4, 1)])
    book.save(root / "extract.xlsx")
    frame = frame_of(sample(root, "ccr", "--extract", str(root / "extract.xlsx"), "--seed", "2", "--size", "5"))
    assert frame["extract"]["rows"] == 12 and frame["extract"]["rows_left_out"] == []
    assert {child["level_of_need"] for child in frame["sample"]} == {"Child in need", "Child protection"}


def test_a_dip_sample_gives_each_auditing_manager_children_from_their_own_teams(root):
    result = sample(root, "dip_sample", "--seed", "5")
    assert result.exit_code == 0, result.output
    frame = frame_of(result)
    by_auditor: dict[str, list[dict]] = {}
    for child in frame["sample"]:
        by_auditor.setdefault(child["auditor"], []).append(child)
    assert {name: len(children) for name, children in by_auditor.items()} == {
        "Sarah Lowe": 10, "Anil Mistry": 10, "Claire Benson": 10, "Tom Reilly": 10, "Joanne Pike": 10,
        "Priya Raman": 10, "Gareth Hughes": 10, "Dawn Whitley": 10}
    assert {c["team"] for c in by_auditor["Sarah Lowe"]} == {"Assessment"}
    assert {c["team"] for c in by_auditor["Priya Raman"]} <= {"Assessment", "Child protection"}
    assert len({c["child_id"] for c in frame["sample"]}) == 80  # no child sampled twice
    assert "Note: Helen Okafor: 0 of 10 children (no more are eligible in their teams)." in result.output


def read_issued(path: Path, catalogue: Catalogue):
    package = open_package(path.name, path.read_bytes())
    spec = catalogue.get(package.form_id, package.variant)
    return (read_docx if path.suffix == ".docx" else read_xlsx)(package, spec)


def test_issue_from_sample_prefills_one_ccr_per_child_for_its_lead_reviewer(root, catalogue):
    workbook = Path(next(line for line in sample(root, "ccr", "--seed", "4", "--reviewer", "amira shah").output.splitlines()
                         if line.startswith("Sample to check")).split(": ", 1)[1])
    result = qa(root, "issue", "--from-sample", str(workbook))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"Issued 20 form(s) from {workbook.name}."
    first = Path(lines[0])
    assert first.parent == root / "outbox" / "issued" / QUARTER / "Amira Shah"
    values = read_issued(first, catalogue).values
    child = values["child_id"]
    number = int(child[1:])
    team = next(t for t in TEAMS if number < 100000 + sum(x[4] for x in TEAMS[:TEAMS.index(t) + 1]))
    assert {key: values[key] for key in ("quarter", "reviewer", "child_name", "team", "team_manager")} == {
        "quarter": QUARTER, "reviewer": "Amira Shah", "child_name": f"Child{number} Surname", "team": team[0],
        "team_manager": team[1]}
    assert values[catalogue.find("ccr").role_field("selection_reason").id] == "Cross-sample"  # why it was chosen
    assert "Surname" not in first.name
    again = qa(root, "issue", "--from-sample", str(workbook))
    assert again.output == f"Issued 0 form(s) from {workbook.name}.\n"  # each child is issued once


def test_issue_from_an_edited_sample_names_each_bad_row(root):
    out = sample(root, "ccr", "--seed", "4", "--size", "3").output
    workbook = Path(next(line for line in out.splitlines() if line.startswith("Sample to check")).split(": ", 1)[1])
    book = openpyxl.load_workbook(workbook)
    sheet = book["Sample"]
    sheet["H2"], sheet["H3"], sheet["A4"], sheet["H4"] = "Sara Lowe", "Sarah Lowe", "", "Sarah Lowe"
    book.save(workbook)
    result = qa(root, "issue", "--from-sample", str(workbook))
    where = f"{workbook.name} · sheet 'Sample' row"
    assert (result.exit_code, result.output) == (1, (
        f"Error: {where} 2: Lead reviewer 'Sara Lowe' is not on the staff roster. Did you mean 'Sarah Lowe'?\n"
        f"{where} 4: Child ID is empty. Fill it in, or delete the row.\n"))
    assert not (root / "outbox" / "issued").exists()  # nothing issued until every row is right


def test_issue_from_a_dip_sample_lists_each_auditors_children_on_their_form(root, catalogue):
    out = sample(root, "dip_sample", "--seed", "5").output
    workbook = Path(next(line for line in out.splitlines() if line.startswith("Sample to check")).split(": ", 1)[1])
    result = qa(root, "issue", "--from-sample", str(workbook), "--theme", "networks_contingency")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Issued 8 form(s) from {workbook.name}."
    sarah = next(Path(line) for line in result.output.splitlines() if "Sarah-Lowe" in line)
    raw = read_issued(sarah, catalogue)
    assert raw.values["auditor"] == "Sarah Lowe"
    rows = [row for row in raw.groups["children"] if row.get("child_id")]
    assert len(rows) == 10 and {row["team"] for row in rows} == {"Assessment"}


def test_a_ccr_judged_bordering_good_makes_its_child_a_candidate_until_a_later_review(root, catalogue):
    """Through the store: the CCR's `bordering_good` answer (the role the forms add) on the latest review counts."""
    import dataclasses

    from pipeline.sample import history
    from pipeline.spec import Field, Section
    from pipeline.store import Store

    spec = catalogue.find("ccr")
    ccr = spec
    if spec.role_field("bordering_good") is None:  # until the CCR spec carries the role (branch forms)
        judged = Field(id="bordering_good", label="Bordering Good?", type="choice", choices=("Yes", "No"), role="bordering_good")
        ccr = dataclasses.replace(spec, sections=(*spec.sections, Section("Selection", (judged,))))
    judged_id = ccr.role_field("bordering_good").id

    class WithTheRole:
        settings = catalogue.settings

        def get(self, form, variant=None):
            return ccr if form == "ccr" else catalogue.get(form, variant)

    for child, grade in (("C100010", "Requires improvement"), ("C100020", "Inadequate"), ("C100030", "Good")):
        ingest_ccr(root, catalogue, child, grade)
    with Store(root / "qa.sqlite3") as store:
        for submission in store.submissions(form="ccr"):
            values = dict(submission.values, **{judged_id: "No" if submission.child_id == "C100020" else "Yes"})
            store._db.execute("UPDATE submission SET values_json = ? WHERE id = ?", (json.dumps(values), submission.id))
        seen, bordering = history(store, WithTheRole())
    assert bordering == {"c100010"}  # C100020 not judged bordering Good; C100030 graded Good
    assert {key: (when.on, when.how) for key, when in seen.items()} == {
        key: (dt.date(2022, 11, 2), "reviewed (CCR)") for key in ("c100010", "c100020", "c100030")}


def test_quotas_in_qa_yaml_fix_a_level_of_needs_share(root):
    (root / "qa.yaml").write_text("sample_quotas: {child protection: 10}\n", encoding="utf-8")
    frame = frame_of(sample(root, "ccr", "--seed", "9"))
    drawn = {(s["level_of_need"], s["team"]): s["drawn"] for s in frame["strata"]}
    assert drawn[("Child protection", "Assessment")] + drawn[("Child protection", "Child protection")] == 10
    assert sum(drawn.values()) == 20 and min(drawn.values()) >= 1
    (root / "qa.yaml").write_text("sample_quotas: {child protection: lots}\n", encoding="utf-8")
    result = sample(root, "ccr")
    assert (result.exit_code, result.output) == (1, (
        "Error: qa.yaml line 1: sample_quotas '{'child protection': 'lots'}' is not a list of levels of need with "
        "numbers. Write each level of need with a number, for example {Child protection: 6, Care leaver: 2}.\n"))


def test_issue_without_a_sample_still_needs_form_quarter_and_assignee(root):
    result = qa(root, "issue", "ccr", "--quarter", QUARTER)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Missing --assignee. Give FORM, --quarter and --assignee, or --from-sample FILE.")
