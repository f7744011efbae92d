"""The report's moderation statistics: the reading, the table and the chart, through `qa report`."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from click.testing import CliRunner
from docx import Document
from statsmodels.stats.inter_rater import cohens_kappa

from pipeline.cli import cli
from test_report import CHILD_NAMES, build_known_quarter


def test_report_reads_agreement_names_the_reviewer_and_warns_on_few_pairs(workspace, catalogue):
    build_known_quarter(workspace, catalogue).close()
    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", "2022-23-Q3", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    agreement = data["agreement"]
    # Q3's five moderated CCRs (Q2's were not moderated): Good/Good, Outstanding/Good, RI/RI, Inadequate/RI, Good/Inadequate.
    table = np.zeros((4, 4))
    for row, column in ((1, 1), (0, 1), (2, 2), (3, 2), (1, 3)):
        table[row, column] += 1
    expected = cohens_kappa(table, wt="quadratic")
    overall = agreement["overall"]
    assert (overall["pairs"], overall["agreed"], overall["lowered"], overall["raised"]) == (5, 2, 2, 1)
    assert overall["kappa_quadratic"]["value"] == round(expected.kappa, 2)
    assert agreement["period"] == "2021-22-Q4 to 2022-23-Q3"
    assert [q["label"] for q in agreement["quarters"]] == ["2021-22-Q4", "2022-23-Q1", "2022-23-Q2", "2022-23-Q3"]
    assert [q["pairs"] for q in agreement["quarters"]] == [0, 0, 0, 5]
    assert [r["reviewer"] for r in agreement["reviewers"]] == ["Helen Okafor"]
    kappa = overall["kappa_quadratic"]
    assert agreement["reading"] == (
        f"Agreement between reviewers and moderators is fair (quadratic-weighted kappa {kappa['value']:.2f}, "
        f"95% CI {kappa['low']:.2f} to {kappa['high']:.2f}; Gwet's AC2 {overall['ac2_quadratic']['value']:.2f}): "
        "the moderator agreed exactly with 2 of 5 grades. Helen Okafor's grades were lowered in 2 of 5 moderation(s), "
        "the most of any reviewer. Only 5 moderated grade(s) (fewer than 10): the figures and their intervals are too "
        "uncertain to compare or to act on alone."
    )
    document = Document(data["files"]["report"])
    texts = [p.text for p in document.paragraphs]
    heading = texts.index("Moderation: how far reviewers and moderators agree")
    assert texts[heading + 1] == agreement["reading"]
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "" and t.rows[0].cells[-1].text == "AC2")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[1][:4] == ["All moderated grades *", "5", "40%", "2"]
    assert rows[-1][0] == "Helen Okafor *"
    assert rows[1][5] == f"{kappa['value']} ({kappa['low']} to {kappa['high']})"
    texts = [p.text for p in document.paragraphs]
    assert "Helen Okafor: 2022-23-Q3 +0.40 (n=5)" in texts  # drift: (0 + 1 + 0 - 1 + 2) / 5 grade steps
    with zipfile.ZipFile(data["files"]["report"]) as package:
        images = [name for name in package.namelist() if name.startswith("word/media/")]
        xml = package.read("word/document.xml").decode()
    assert len(images) >= 2  # the grade charts and the agreement chart
    for name in CHILD_NAMES:
        assert name not in xml
