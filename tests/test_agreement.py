"""Moderation agreement: weighted kappa checked against statsmodels and SAS, Gwet's AC2 against Gwet's own examples."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from pipeline.agreement import Pair, agreement, agreement_report, band, contingency, gwet_ac2, weighted_kappa

# SAS/STAT User's Guide, PROC FREQ, "Getting Started: Agreement Study" (Table 3.2, skin condition data,
# two dermatologists, four ordered grades Terrible < Poor < Marginal < Clear):
# https://support.sas.com/documentation/cdl/en/procstat/66703/HTML/default/procstat_freq_gettingstarted02.htm
# Simple kappa 0.3449 is checked by hand from the table (p_o = 45/88, p_e = 1968/7744); the weighted
# figures with Cicchetti-Allison (linear) weights, SAS's default, are those statsmodels gives. The page's
# printed output table could not be retrieved when this test was written, so those four figures are
# not yet confirmed against SAS's own print.
SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]

# Gwet, K.L. (2014) Handbook of Inter-Rater Reliability, 4th ed., and his irrCAC package (vignette
# "Computing weighted agreement coefficients"): 223 patients, clinical against research diagnosis
# (dataset cont4x4diagnosis), and 100 pregnancies by two abstractors (cont3x3abstractors). The
# figures are irrCAC's, to three places, as its Python port asserts them (afergadis/irrCAC,
# test/unit/irrCAC/table/test_gwet.py).
DIAGNOSIS = [[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_simple_and_linear_kappa_match_the_sas_worked_example():
    simple = weighted_kappa(SKIN, "none").rounded(4)
    linear = weighted_kappa(SKIN, "linear").rounded(4)
    assert (simple.value, simple.se, simple.low, simple.high) == (0.3449, 0.0724, 0.2030, 0.4868)
    assert (linear.value, linear.se, linear.low, linear.high) == (0.5082, 0.0655, 0.3798, 0.6366)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("table", [SKIN, DIAGNOSIS, [[3, 1, 0, 0], [1, 5, 2, 0], [0, 1, 4, 1], [0, 0, 1, 2]]])
def test_weighted_kappa_is_statsmodels_own(table, weights):
    ours = weighted_kappa(table, weights)
    theirs = cohens_kappa(np.asarray(table, float), wt=weights)
    assert ours.value == pytest.approx(theirs.kappa)
    assert (ours.low, ours.high) == (pytest.approx(theirs.kappa_low), pytest.approx(theirs.kappa_upp))


def test_quadratic_kappa_is_fleiss_cohen_weighting_by_hand():
    # 1 - sum(w * observed) / sum(w * expected), with disagreement weights (i - j)^2 / 9
    table = np.asarray(SKIN, float)
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n
    disagreement = np.subtract.outer(np.arange(4), np.arange(4)) ** 2 / 9
    by_hand = 1 - (disagreement * table).sum() / (disagreement * expected).sum()
    assert weighted_kappa(SKIN, "quadratic").value == pytest.approx(by_hand)


@pytest.mark.parametrize(("table", "weights", "value", "se", "low", "high"), [
    (DIAGNOSIS, "none", 0.456, 0.043, 0.371, 0.542),
    (DIAGNOSIS, "linear", 0.377, 0.056, 0.267, 0.488),
    (DIAGNOSIS, "quadratic", 0.299, 0.075, 0.150, 0.447),
    (ABSTRACTORS, "none", 0.849, None, 0.764, 0.935),
    (ABSTRACTORS, "linear", 0.900, None, 0.842, 0.958),
    (ABSTRACTORS, "quadratic", 0.940, None, 0.905, 0.976),
])
def test_gwet_ac2_matches_gwets_published_examples(table, weights, value, se, low, high):
    result = gwet_ac2(table, weights).rounded(3)
    assert (result.value, result.low, result.high) == (value, low, high)
    if se is not None:
        assert result.se == se


def test_kappa_paradox_all_one_grade_kappa_not_computable_ac2_is():
    # Everyone graded Good and the moderator agreed each time: kappa is 0/0, AC2 says perfect agreement.
    table = [[0, 0, 0, 0], [0, 12, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert weighted_kappa(table, "quadratic").value is None
    assert gwet_ac2(table, "quadratic").value == 1.0


def _pairs(spec: list[tuple[str, str, str, str]]) -> list[Pair]:
    return [Pair("ccr", quarter, reviewer, "Mo Derator", grade, moderated) for reviewer, quarter, grade, moderated in spec]


G, RI, O, I = "Good", "Requires improvement", "Outstanding", "Inadequate"


def test_report_names_the_reviewer_moderated_down_most_and_warns_on_few_pairs():
    pairs = _pairs([
        ("Ann Reviewer", "2022-23-Q2", G, RI), ("Ann Reviewer", "2022-23-Q2", G, G), ("Ann Reviewer", "2022-23-Q3", O, G),
        ("Ann Reviewer", "2022-23-Q3", G, RI), ("Ann Reviewer", "2022-23-Q3", RI, RI), ("Ann Reviewer", "2022-23-Q3", G, RI),
        ("Ben Reviewer", "2022-23-Q2", G, G), ("Ben Reviewer", "2022-23-Q3", RI, G), ("Ben Reviewer", "2022-23-Q3", I, I),
    ])
    report = agreement_report(pairs, ["2022-23-Q2", "2022-23-Q3"], {"ccr": "Collaborative case review"}, min_pairs=10)
    assert [r.reviewer for r in report.reviewers] == ["Ann Reviewer", "Ben Reviewer"]
    ann = report.reviewers[0]
    assert (ann.agreement.pairs, ann.agreement.lowered, ann.agreement.raised, ann.agreement.agreed) == (6, 4, 0, 2)
    # Drift: Ann's grades were a half step above the moderator's in Q2, 0.75 in Q3.
    assert [(d.quarter, d.pairs, d.mean_difference) for d in ann.drift] == [("2022-23-Q2", 2, 0.5), ("2022-23-Q3", 4, 0.75)]
    assert [q.pairs for q in report.quarters] == [3, 6]
    assert report.overall.warning == ("Only 9 moderated grade(s) (fewer than 10): the figures and their intervals are too "
                                      "uncertain to compare or to act on alone.")
    kappa = report.overall.kappa_quadratic
    assert report.reading == (
        f"Agreement between reviewers and moderators is {band(kappa.value)} (quadratic-weighted kappa {kappa.value:.2f}, "
        f"95% CI {kappa.low:.2f} to {kappa.high:.2f}; Gwet's AC2 {report.overall.ac2_quadratic.value:.2f}): the moderator "
        "agreed exactly with 4 of 9 grades. Ann Reviewer's grades were lowered in 4 of 6 moderation(s), the most of any "
        "reviewer. " + report.overall.warning
    )
    assert report.domains_note.startswith("Agreement by domain cannot be measured")


def test_enough_pairs_no_warning_and_contingency_rows_are_the_reviewer():
    pairs = _pairs([("Ann Reviewer", "2022-23-Q3", G, RI)] * 3 + [("Ann Reviewer", "2022-23-Q3", G, G)] * 9)
    result = agreement("All", pairs, min_pairs=10)
    assert result.warning == ""
    assert contingency(pairs)[1].tolist() == [0, 9, 3, 0]
    assert (result.agreed_percent, result.mean_difference) == (75.0, 0.25)


@pytest.mark.parametrize(("value", "word"), [(None, "not measurable"), (-0.1, "poor"), (0.0, "slight"), (0.2, "slight"),
                                             (0.35, "fair"), (0.5, "moderate"), (0.7, "substantial"), (0.81, "almost perfect")])
def test_landis_koch_bands(value, word):
    assert band(value) == word


def test_a_thematic_audit_gives_one_pair_per_moderated_child(catalogue):
    from pipeline.agreement import pairs_from
    from pipeline.store import StoredSubmission

    audit = StoredSubmission(
        id=7, form="thematic_audit", variant=None, version=2, quarter="2022-23-Q3", child_id=None, author="Pat Writer",
        issue_id=None, file="S-0007", received_at="2022-11-01T10:00:00", status="current",
        values={"auditor": "Pat Auditor", "moderator": "Mo Derator"},
        groups={"children": [{"child_id": "C1", "grade": "Good", "moderated_grade": "Requires improvement"},
                             {"child_id": "C2", "grade": "Good"}]},  # the second child not moderated: no pair
        spec=catalogue.find("thematic_audit"),
    )
    assert pairs_from([audit], lambda s: s.file, str) == [
        Pair("thematic_audit", "2022-23-Q3", "Pat Auditor", "Mo Derator", "Good", "Requires improvement", "S-0007")]
