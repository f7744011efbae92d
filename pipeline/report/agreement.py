"""Section 3's moderation statistics from the quarter's assessment: which grades were moderated, and how well they agree.

The figures are :mod:`pipeline.agreement`'s; this module chooses the returns (every form that has
both a reviewer's grade and a moderated grade, CCRs and thematic audits) over the four quarters
that end with the report's, and draws the section's one chart. Reviewers and moderators are named:
moderation is a quality-assurance process about their grading. No child is named: a pair carries
only the return's reference.
"""

from __future__ import annotations

from collections.abc import Callable

from ..agreement import DEFAULT_MIN_PAIRS, AgreementReport, agreement_report, pairs_from
from ..quarter import Quarter
from ..spec import Catalogue
from ..store import StoredSubmission

QUARTERS_COVERED = 4  # a rolling year: one quarter's handful of moderations is too few to read alone


def moderation_agreement(catalogue: Catalogue, to_date: list[StoredSubmission], quarter: Quarter,
                         clean: Callable[[object], str]) -> AgreementReport:
    """Agreement between reviewers' and moderators' grades over the four quarters ending with *quarter*."""
    quarters = [quarter]
    while len(quarters) < QUARTERS_COVERED:
        quarters.insert(0, quarters[0].previous())
    labels = [q.label for q in quarters]
    moderated_forms = {spec.id for spec in catalogue
                       if _has_role(spec, "moderated_grade") and _has_role(spec, "overall_grade")}
    chosen = [s for s in to_date if s.form in moderated_forms and s.quarter in labels]
    titles = {spec.id: spec.display_title for spec in catalogue}
    min_pairs = getattr(catalogue.settings, "moderation_min_pairs", DEFAULT_MIN_PAIRS)
    report = agreement_report(pairs_from(chosen, lambda s: s.file, clean), labels, titles, min_pairs)
    # A form graded per child (in its rows) but moderated once for the whole audit has no grade to set
    # the moderated one against: its moderation is tracked (qa status), not counted here.
    per_row = sorted({titles[spec.id] for spec in catalogue if spec.id in moderated_forms
                      and spec.role_field("moderated_grade") is not None and spec.role_field("overall_grade") is None})
    if per_row:
        report.domains_note += (f" {' and '.join(per_row)} grade each child but record one moderated grade for the "
                                "whole audit, so they are not counted in these figures.")
    return report


def _has_role(spec, role: str) -> bool:
    return any(item.role == role for item, _group in spec.all_fields())


def agreement_chart(data: dict) -> dict[str, bytes]:
    """The section's chart, by name: each reviewer's moderated grades, agreed, lowered or raised (none without pairs)."""
    report = data.get("agreement")
    if not report or not report["reviewers"]:
        return {}
    from .charts import _figure, _margins, _png, _tidy

    rows = report["reviewers"][::-1]
    labels = [f"{r['reviewer']} (n={r['agreement']['pairs']})" for r in rows]
    figure = _figure(0.3 * len(rows) + 1.1)
    axes = figure.add_subplot()
    left = [0] * len(rows)
    for key, name, colour in (("agreed", "Moderator agreed", "#1b7837"), ("lowered", "Moderator graded lower", "#c0392b"),
                              ("raised", "Moderator graded higher", "#1f4e79")):
        counts = [r["agreement"][key] for r in rows]
        axes.barh(labels, counts, left=left, color=colour, label=name, height=0.7)
        left = [a + b for a, b in zip(left, counts)]
    axes.set_xlabel("Moderated grades (count)", fontsize=8)
    axes.set_title(f"Moderation outcome by reviewer, {report['period']}", fontsize=8.5, loc="left", pad=16)
    axes.legend(ncol=3, fontsize=7, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False)
    axes.xaxis.get_major_locator().set_params(integer=True)
    _tidy(axes)
    _margins(figure, labels, top=0.55)
    return {"agreement": _png(figure)}
