"""Field roles: the spec is the one description of a form, so a QA admin may rename any field.

Report, compliance, store and issue find answers by the role a field declares (`role: overall_grade`),
never by its id; a workspace spec that lost a role the code needs is refused when it is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from answers import answer
from filling import fill_xlsx
from pipeline.cli import cli
from pipeline.ingest import examine
from pipeline.spec import Catalogue, SpecError
from pipeline.spec.contract import CONTRACT, GROUP_ROLES, ROLES
from pipeline.templates.docx_fill import fill_docx
from pipeline.workspace import BUILTIN_SPECS

RETURNS_PER_FORM = 2


def qa(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


def renamed(folder: Path) -> dict[str, str]:
    """Give every field and group of every spec in *folder* a new id (roles kept); old id → new id."""
    new: dict[str, str] = {}

    def rename(old: str) -> str:
        return new.setdefault(old, f"answer_{len(new) + 1}")

    def fields(items: list[dict]) -> None:
        for item in items:
            item["id"] = rename(item["id"])
            for reference in ("required_when", "theme_of"):  # the two keys that name another field
                if reference in item:
                    item[reference]["field"] = rename(item[reference]["field"])

    paths = sorted(folder.glob("*.yaml"), key=lambda p: "-" in p.stem)  # base forms first: variants name their fields
    for path in paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in document.get("sections", []):
            if "group" in section:
                section["group"]["id"] = rename(section["group"]["id"])
                fields(section["group"]["fields"])
            else:
                fields(section["fields"])
        questions = document.get("questions")
        if questions:
            fields(questions["fields"])
            for key in ("before", "group"):
                if key in questions:
                    questions[key] = rename(questions[key])
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return new


def answers_for(spec, n: int) -> tuple[dict, dict]:
    """The same answers for a spec whatever its ids: each varies with *n* and the field's place on the form."""
    values = {item.id: answer(item, n + place) for place, item in enumerate(spec.fields())}
    groups = {g.id: [{item.id: answer(item, n + row + place) for place, item in enumerate(g.fields)} for row in range(1, 3)]
              for g in spec.groups()}
    return values, groups


def round_trip(root: Path) -> tuple[dict, dict]:
    """qa init → (specs as they are) → qa templates → fill → qa ingest → qa status --json, qa report --json."""
    catalogue = Catalogue.load(root / "form_templates")
    keys = catalogue.keys()
    written = qa(root, "templates", "--out", str(root / "blank"), *keys)
    assert written.exit_code == 0, written.output
    for key, blank in zip(keys, written.output.splitlines(), strict=True):
        spec = catalogue.find(key)
        for n in range(RETURNS_PER_FORM):
            values, groups = answers_for(spec, n)
            data = Path(blank).read_bytes()
            filled = fill_docx(data, spec, values, groups) if spec.format == "docx" else fill_xlsx(data, spec, values, groups)
            (root / "inbox" / f"{key.replace('/', '-')}-{n}.{spec.format}").write_bytes(filled)
    ingested = qa(root, "ingest", "--json")
    assert ingested.exit_code == 0, ingested.output
    assert {json.loads(line)["status"] for line in ingested.stdout.splitlines()} == {"accepted"}, ingested.output
    status = qa(root, "status", "--quarter", "2022-23-Q3", "--json")
    assert status.exit_code == 0, status.output
    report = qa(root, "report", "--quarter", "2022-23-Q3", "--json")
    assert report.exit_code == 0, report.output
    return json.loads(status.stdout), json.loads(report.stdout.replace(str(root), "WORKSPACE"))


@pytest.fixture(scope="module")
def shipped_figures(tmp_path_factory) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("shipped") / "ws"
    assert qa(root, "init").exit_code == 0
    return round_trip(root)


def test_every_field_renamed_in_every_spec_gives_the_same_status_and_report(tmp_path, shipped_figures):
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    new = renamed(root / "form_templates")
    catalogue = Catalogue.load(root / "form_templates")
    ids = {f.id for spec in catalogue for f in spec.fields()} | {f.id for spec in catalogue for g in spec.groups() for f in g.fields}
    assert not ids & set(new)  # no field keeps its shipped id

    status, report = round_trip(root)

    assert status == shipped_figures[0]
    assert report == shipped_figures[1]
    # …and the figures are there, not empty on both sides.
    practice = report["practice"]
    assert practice["reviews"] == RETURNS_PER_FORM and practice["overall"]["total"] == RETURNS_PER_FORM
    assert [d["label"] for d in practice["domains"]] == ["Assessment", "Planning", "Multi-agency review", "Voice of the child",
                                                         "Parents / carers engagement", "Management oversight", "Case recording"]
    assert all(d["total"] == RETURNS_PER_FORM for d in practice["domains"])
    assert practice["moderation"]["moderated"] == RETURNS_PER_FORM
    assert practice["by_team"] and practice["by_level"]
    assert report["dip_samples"]["overall"]["total"] == 2 * 2 * RETURNS_PER_FORM  # base and themed forms, two rows each
    assert report["thematic"]["overall"]["total"] == 3 * 2 * RETURNS_PER_FORM  # base and two themes
    assert report["thematic"]["strengths"] and report["thematic"]["worries"]
    assert report["observations"]["by_nature"] and report["observations"]["by_level"] and report["observations"]["strengths"]
    assert report["supervision"]["grades"]["total"] == RETURNS_PER_FORM and report["supervision"]["questions"]
    assert all(report["collated"][key] for key in ("summaries", "working_well", "worried_about", "needs_to_happen"))
    assert report["children_families"]["participants"] and report["children_families"]["by_source"]
    assert report["staff"]["respondents"] and report["staff"]["topics"]
    assert report["edi"]["with_evaluation"] == report["edi"]["returns"] > 0
    assert report["learning"]["requested"] and report["actions"]["all_actions"]
    received = {line["key"]: line["received"] for line in status["activities"]}
    assert (received["ccr"], received["hos_summary"], received["thematic_audit"]) == (RETURNS_PER_FORM,) * 3
    assert received["dip_sample"]
    assert any(received[key] for key in received if key.startswith("forum_feedback:"))  # one line per forum
    assert any(received[key] for key in received if key.startswith("staff_feedback:"))


def test_a_workspace_spec_that_lost_a_role_is_refused_with_the_file_the_role_and_the_fix(tmp_path):
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    ccr = root / "form_templates" / "ccr.yaml"
    ccr.write_text(ccr.read_text(encoding="utf-8").replace("role: overall_grade, ", ""), encoding="utf-8")

    result = qa(root, "status", "--quarter", "2022-23-Q3")

    assert result.exit_code == 1
    assert result.output == ("Error: ccr.yaml: the report needs a field with role overall_grade (type grade). "
                             "Add 'role: overall_grade' to the question that holds it.\n")


BROKEN_ROLES = {
    "unknown role": ("role: overall_grade,", "role: overal_grade,",
                     "ccr.yaml: field 'overall_grade': role 'overal_grade' is unknown. Use one of: " + ", ".join(ROLES) + "."),
    "wrong type": ("{id: team, role: team,", "{id: team, role: overall_grade,",
                   "ccr.yaml: field 'team': role overall_grade needs a grade field, not short_text. "
                   "Change the type, or move the role to the right question."),
    "given twice": ("{id: reviewer, role: reviewer,", "{id: reviewer, role: team,",
                    "ccr.yaml: role team is given twice in the form ('team' and 'reviewer'). Give it to one question only."),
    "group lost its role": ("      role: actions\n", "",
                            "ccr.yaml: the action ledger needs a repeat group with role actions. "
                            "Add 'role: actions' to the group that holds it."),
    "column lost its role": ("{id: owner, role: owner,", "{id: owner,",
                             "ccr.yaml: the action ledger needs a field with role owner (type short_text) in group 'actions'. "
                             "Add 'role: owner' to the column that holds it."),
    "unknown group role": ("      role: actions\n", "      role: action\n",
                           "ccr.yaml: group 'actions': role 'action' is unknown. Use one of: " + ", ".join(GROUP_ROLES) + "."),
}


@pytest.mark.parametrize("case", BROKEN_ROLES, ids=list(BROKEN_ROLES))
def test_a_misplaced_role_names_the_file_the_field_and_the_fix(tmp_path, case):
    old, new, expected = BROKEN_ROLES[case]
    for path in BUILTIN_SPECS.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    ccr = tmp_path / "ccr.yaml"
    text = ccr.read_text(encoding="utf-8")
    assert old in text
    ccr.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        Catalogue.load(tmp_path)
    assert str(err.value) == expected


@pytest.mark.parametrize("form", sorted(CONTRACT))
def test_every_shipped_form_meets_its_contract_and_declares_each_role_once(catalogue, form):
    spec = catalogue.get(form)
    for need in CONTRACT[form]:
        group = spec.role_group(need.group) if need.group else None
        found = group.role_field(need.role) if group else spec.role_field(need.role)
        assert found is not None and found.type in ROLES[need.role][0], (form, need)


def test_qa_issue_pre_fills_a_renamed_form_by_role(tmp_path):
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    renamed(root / "form_templates")
    catalogue = Catalogue.load(root / "form_templates")

    ccr = qa(root, "issue", "ccr", "--quarter", "2022-23-Q3", "--assignee", "Sarah Lowe", "--child-id", "C123456")
    dip = qa(root, "issue", "dip_sample", "--quarter", "2022-23-Q3", "--assignee", "Anil Mistry", "--theme", "Neglect")

    assert ccr.exit_code == 0 and dip.exit_code == 0, ccr.output + dip.output
    review = examine("ccr.docx", Path(ccr.stdout.strip()).read_bytes(), catalogue).submission
    assert review.spec.key == "ccr"
    assert [review.answer(role) for role in ("quarter", "author", "reviewer", "child_id")] == [
        "2022-23-Q3", "Sarah Lowe", "Sarah Lowe", "C123456"]
    sample = examine("dip.xlsx", Path(dip.stdout.strip()).read_bytes(), catalogue).submission
    assert [sample.answer(role) for role in ("quarter", "author", "auditor", "theme")] == [
        "2022-23-Q3", "Anil Mistry", "Anil Mistry", "Neglect"]
