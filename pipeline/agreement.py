"""Agreement between reviewers' and moderators' grades that can be defended: kappa, AC2, drift (no Office here).

The four grades are ordered (Outstanding, Good, Requires improvement, Inadequate), so a one-step
disagreement counts for less than a three-step one. Beside the percentage of exact agreement this
module gives, with 95% confidence intervals:

* Cohen's weighted kappa with linear (Cicchetti–Allison) and quadratic (Fleiss–Cohen) weights, from
  ``statsmodels.stats.inter_rater.cohens_kappa`` (its asymptotic standard error is the one SAS PROC
  FREQ prints);
* Gwet's AC2 (Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 3 and 5; Gwet 2008,
  BJMSP 61:29–48), which statsmodels does not have: kappa is known to drop to near zero when nearly
  every review gets the same grade even if reviewers and moderators almost always agree (the
  'kappa paradox'); AC2 does not, so the two are read together.

A reviewer's grade minus the moderator's, in grade steps (Outstanding 4 … Inadequate 1), is the
*difference*: positive when the moderator graded lower ('moderated down'). Its mean per reviewer per
quarter is their *drift*. Below ``min_pairs`` pairs a figure is given with a warning, not hidden.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .spec import GRADES

# Grade points: the better the grade, the higher (Outstanding 4 … Inadequate 1).
POINTS = {grade: len(GRADES) - index for index, grade in enumerate(GRADES)}
DEFAULT_MIN_PAIRS = 10
# Landis & Koch (1977) bands, the usual plain-language reading of kappa-type coefficients.
BANDS = ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate"), (0.2, "fair"), (0.0, "slight"))


@dataclass(frozen=True)
class Pair:
    """One moderated grade: who reviewed, who moderated, the two grades, and where it came from."""

    form: str
    quarter: str
    reviewer: str
    moderator: str
    grade: str  # the reviewer's
    moderated: str  # the moderator's
    ref: str = ""  # the return's reference ('S-0042')

    @property
    def difference(self) -> int:
        """Reviewer's grade minus the moderator's, in grade steps: positive when moderated down."""
        return POINTS[self.grade] - POINTS[self.moderated]


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and 95% confidence interval (None when it cannot be computed)."""

    value: float | None
    se: float | None = None
    low: float | None = None
    high: float | None = None

    def rounded(self, places: int = 2) -> Estimate:
        """The same estimate rounded for a report."""
        return Estimate(*(None if v is None else round(v, places) for v in (self.value, self.se, self.low, self.high)))


NOT_COMPUTABLE = Estimate(None)


def contingency(pairs: Iterable[Pair]) -> np.ndarray:
    """The 4×4 table of counts: rows the reviewer's grade, columns the moderator's, best grade first."""
    table = np.zeros((len(GRADES), len(GRADES)))
    index = {grade: position for position, grade in enumerate(GRADES)}
    for pair in pairs:
        table[index[pair.grade], index[pair.moderated]] += 1
    return table


def weight_matrix(categories: int, kind: str) -> np.ndarray:
    """Agreement weights 1 − |i−j|/(q−1) ('linear') or 1 − (i−j)²/(q−1)² ('quadratic'); identity for 'none'."""
    steps = np.abs(np.subtract.outer(np.arange(categories), np.arange(categories))) / max(categories - 1, 1)
    if kind == "linear":
        return 1 - steps
    if kind == "quadratic":
        return 1 - steps**2
    if kind == "none":
        return np.eye(categories)
    raise ValueError(f"unknown weights {kind!r}: use 'linear', 'quadratic' or 'none'")


def weighted_kappa(table: Sequence[Sequence[float]] | np.ndarray, weights: str) -> Estimate:
    """Cohen's weighted kappa ('linear' or 'quadratic'; 'none' for simple kappa) with its asymptotic 95% CI.

    None (not computable) when chance agreement is total: every pair in one grade on both sides.
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    table = np.asarray(table, float)
    if table.sum() == 0:
        return NOT_COMPUTABLE
    # statsmodels warns (and divides by zero) on degenerate tables (statsmodels issue #5530): the
    # result is checked for finiteness instead.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = cohens_kappa(table, wt=None if weights == "none" else weights)
        value, se = float(result.kappa), float(result.std_kappa)
    if not math.isfinite(value):
        return NOT_COMPUTABLE
    if not math.isfinite(se):
        return Estimate(value)
    return Estimate(value, se, max(-1.0, value - 1.959963984540054 * se), min(1.0, value + 1.959963984540054 * se))


def gwet_ac2(table: Sequence[Sequence[float]] | np.ndarray, weights: str = "quadratic") -> Estimate:
    """Gwet's AC2 for two raters from their contingency table, with its standard error and 95% CI.

    Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: with agreement weights w (w_kk = 1),
    p_a = Σ w_kl p_kl; π_k = (p_k+ + p_+k)/2; p_e = T_w/(q(q−1)) Σ π_k(1−π_k), T_w = Σ w_kl;
    AC2 = (p_a − p_e)/(1 − p_e). Its variance (no finite-population correction) is
    [Σ p_kl (w_kl − 2(1−AC2)·T_w/(q(q−1))·(1 − (π_k+π_l)/2))² − (p_a − 2(1−AC2)p_e)²] / (n(1−p_e)²),
    and the interval uses Student's t with n−1 degrees of freedom, as Gwet's irrCAC package does.
    With identity weights ('none') this is AC1.
    """
    from scipy.stats import t as student

    table = np.asarray(table, float)
    n, q = table.sum(), table.shape[0]
    if n == 0 or q < 2:
        return NOT_COMPUTABLE
    w = weight_matrix(q, weights)
    p = table / n
    p_a = float((w * p).sum())
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    t_w = float(w.sum())
    chance = t_w / (q * (q - 1))
    p_e = chance * float((pi * (1 - pi)).sum())
    if p_e >= 1:
        return NOT_COMPUTABLE
    ac2 = (p_a - p_e) / (1 - p_e)
    if n < 2:
        return Estimate(ac2)
    spread = w - 2 * (1 - ac2) * chance * (1 - np.add.outer(pi, pi) / 2)
    variance = ((p * spread**2).sum() - (p_a - 2 * (1 - ac2) * p_e) ** 2) / (n * (1 - p_e) ** 2)
    se = math.sqrt(max(float(variance), 0.0))
    margin = float(student.ppf(0.975, n - 1)) * se
    return Estimate(ac2, se, max(-1.0, ac2 - margin), min(1.0, ac2 + margin))


def band(value: float | None) -> str:
    """The Landis & Koch word for a coefficient: 'moderate' for 0.41–0.60; 'poor' below zero."""
    if value is None:
        return "not measurable"
    for floor, word in BANDS:
        if value > floor or (floor == 0.0 and value >= 0):
            return word
    return "poor"


@dataclass
class Agreement:
    """Agreement over a set of pairs: exact agreement, weighted kappas and AC2, and a warning when too few."""

    label: str
    pairs: int
    agreed: int
    agreed_percent: float | None
    lowered: int  # moderator graded lower than the reviewer
    raised: int  # moderator graded higher
    mean_difference: float | None  # reviewer minus moderator, grade steps
    kappa_linear: Estimate
    kappa_quadratic: Estimate
    ac2_quadratic: Estimate
    warning: str = ""


def agreement(label: str, pairs: Sequence[Pair], min_pairs: int = DEFAULT_MIN_PAIRS) -> Agreement:
    """Every agreement figure for *pairs*, rounded for the report, with a warning below *min_pairs*."""
    table = contingency(pairs)
    agreed = int(np.trace(table))
    total = len(pairs)
    warning = ""
    if total < min_pairs:
        warning = (f"Only {total} moderated grade(s) (fewer than {min_pairs}): the figures and their intervals are "
                   "too uncertain to compare or to act on alone.")
    return Agreement(
        label=label,
        pairs=total,
        agreed=agreed,
        agreed_percent=round(100 * agreed / total, 1) if total else None,
        lowered=sum(1 for p in pairs if p.difference > 0),
        raised=sum(1 for p in pairs if p.difference < 0),
        mean_difference=round(sum(p.difference for p in pairs) / total, 2) if total else None,
        kappa_linear=weighted_kappa(table, "linear").rounded(),
        kappa_quadratic=weighted_kappa(table, "quadratic").rounded(),
        ac2_quadratic=gwet_ac2(table, "quadratic").rounded(),
        warning=warning,
    )


@dataclass
class DriftPoint:
    """One reviewer's mean difference from the moderator in one quarter."""

    quarter: str
    pairs: int
    mean_difference: float


@dataclass
class ReviewerAgreement:
    """One reviewer's moderated grades: agreement, how often moderated down or up, drift over quarters."""

    reviewer: str
    agreement: Agreement
    drift: list[DriftPoint] = field(default_factory=list)


@dataclass
class AgreementReport:
    """Moderation agreement for the report: overall, per quarter, per form, per reviewer, with a reading."""

    period: str  # the quarters covered, e.g. '2022-23-Q4 to 2023-24-Q3'
    min_pairs: int
    overall: Agreement
    quarters: list[Agreement]
    forms: list[Agreement]
    reviewers: list[ReviewerAgreement]  # most often moderated down first
    domains_note: str
    reading: str


DOMAINS_NOTE = ("Agreement by domain cannot be measured: the moderator records one moderated grade, for the overall "
                "judgement, and no moderated grade per domain.")


def agreement_report(pairs: Sequence[Pair], quarters: Sequence[str], form_titles: dict[str, str],
                     min_pairs: int = DEFAULT_MIN_PAIRS) -> AgreementReport:
    """Agreement over *pairs* from *quarters* (oldest first): the figures the report's moderation section shows."""
    period = f"{quarters[0]} to {quarters[-1]}" if len(quarters) > 1 else (quarters[0] if quarters else "")
    overall = agreement("All moderated grades", pairs, min_pairs)
    by_quarter = [agreement(q, [p for p in pairs if p.quarter == q], min_pairs) for q in quarters]
    forms = sorted({p.form for p in pairs})
    by_form = [agreement(form_titles.get(f, f), [p for p in pairs if p.form == f], min_pairs) for f in forms]
    grouped: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[pair.reviewer].append(pair)
    reviewers = []
    for reviewer, own in grouped.items():
        drift = [
            DriftPoint(q, len(in_q), round(sum(p.difference for p in in_q) / len(in_q), 2))
            for q in quarters if (in_q := [p for p in own if p.quarter == q])
        ]
        reviewers.append(ReviewerAgreement(reviewer, agreement(reviewer, own, min_pairs), drift))
    reviewers.sort(key=lambda r: (-r.agreement.lowered, -(r.agreement.lowered / r.agreement.pairs), r.reviewer.casefold()))
    return AgreementReport(period, min_pairs, overall, by_quarter, by_form, reviewers, DOMAINS_NOTE,
                           reading(overall, reviewers))


def reading(overall: Agreement, reviewers: Sequence[ReviewerAgreement]) -> str:
    """The plain-language reading: how strong agreement is, and whose grades were moderated down most."""
    if not overall.pairs:
        return "No grade was moderated in the period, so agreement between reviewers and moderators cannot be measured."
    kappa, ac2 = overall.kappa_quadratic, overall.ac2_quadratic
    words = [f"Agreement between reviewers and moderators is {band(kappa.value)}"]
    if kappa.value is not None:
        interval = f", 95% CI {kappa.low:.2f} to {kappa.high:.2f}" if kappa.low is not None else ""
        words.append(f" (quadratic-weighted kappa {kappa.value:.2f}{interval}")
        if ac2.value is not None:
            words.append(f"; Gwet's AC2 {ac2.value:.2f}")
        words.append(")")
    words.append(f": the moderator agreed exactly with {overall.agreed} of {overall.pairs} grades.")
    text = "".join(words)
    top = reviewers[0] if reviewers else None
    if top is not None and top.agreement.lowered:
        text += (f" {top.reviewer}'s grades were lowered in {top.agreement.lowered} of {top.agreement.pairs} "
                 "moderation(s), the most of any reviewer.")
    elif overall.lowered == 0:
        text += " No reviewer's grade was lowered."
    if overall.warning:
        text += " " + overall.warning
    return text


def pairs_from(submissions: Iterable, ref: Callable[[object], str], clean: Callable[[object], str]) -> list[Pair]:
    """Moderated grades in stored submissions (bound to their specs): the form's, and each repeat row's.

    A pair needs the reviewer's grade (role overall_grade) and the moderated grade (role
    moderated_grade) both on the scale; the reviewer is the 'reviewer' role, else the 'auditor', else the author.
    """
    found = []
    for submission in submissions:
        reviewer = clean(submission.answer("reviewer") or submission.answer("auditor") or submission.author or "")
        moderator = clean(submission.answer("moderator") or "")
        quarter = submission.quarter or ""
        grade, moderated = submission.answer("overall_grade"), submission.answer("moderated_grade")
        if grade in POINTS and moderated in POINTS:
            found.append(Pair(submission.form, quarter, reviewer, moderator, grade, moderated, ref(submission)))
        for _group, rows in submission.all_rows():
            for row in rows:
                grade, moderated = row.get("overall_grade"), row.get("moderated_grade")
                if grade in POINTS and moderated in POINTS:
                    found.append(Pair(submission.form, quarter, reviewer, clean(row.get("moderator") or moderator),
                                      grade, moderated, ref(submission)))
    return found


__all__ = ["Agreement", "AgreementReport", "DEFAULT_MIN_PAIRS", "DriftPoint", "Estimate", "Pair", "ReviewerAgreement",
           "agreement", "agreement_report", "band", "contingency", "gwet_ac2", "pairs_from", "reading", "weight_matrix",
           "weighted_kappa"]
