"""The evidence parts of the default report template: impact beside grade, assurance, re-reviews, follow-through, vignettes
(after section 3) and triangulation per theme (after section 4).

Tags read ``evidence.*`` of the report model (:mod:`pipeline.report.evidence`). The impact columns
follow the shipped CCR's three-point scale (Better / About the same / Worse) read from the model, so
renaming a choice on the form renames the column.
"""

from __future__ import annotations

from .word import loop_table, para, tag

IMPACT_HEADERS = ["{{ evidence.impact.scale[0] }}", "{{ evidence.impact.scale[1] }}", "{{ evidence.impact.scale[2] }}",
                  "Not recorded", "Total"]
IMPACT_CELLS = ["{{ r.counts[0] }}", "{{ r.counts[1] }}", "{{ r.counts[2] }}", "{{ r.not_recorded }}", "{{ r.total }}"]
IMPACT_WIDTHS = (4.4, 2.4, 2.8, 2.4, 2.6, 2.0)
REREVIEW = [("{% if c.rereview_state == 'overdue' %}Overdue since {{ c.rereview_date|shortdate }}{% elif c.rereview_date %}"
             "Due {{ c.rereview_date|shortdate }}{% else %}Not set{% endif %}", "")]


def _impact_table(document, first: str, loop: str) -> None:
    loop_table(document, [first, *IMPACT_HEADERS], [[("{{ r.label }}", "b")], *IMPACT_CELLS], loop, widths=IMPACT_WIDTHS)


def after_practice(document) -> None:
    """Impact beside grade, assurance on inadequate practice, re-reviews, follow-through and the draft vignettes."""
    tag(document, "{%p if evidence and practice.reviews %}")
    para(document, "Impact for the child beside the grade", "Heading 2")
    para(document, "{{ evidence.impact.reading }}")
    tag(document, "{%p if evidence.impact.asked %}")
    _impact_table(document, "Grade of record", "r in evidence.impact.by_grade + [evidence.impact.total]")
    para(document, "Impact by team", "Heading 3")
    _impact_table(document, "Team", "r in evidence.impact.by_team")
    para(document, "Impact by level of need", "Heading 3")
    _impact_table(document, "Level of need", "r in evidence.impact.by_level")
    tag(document, "{%p endif %}")

    para(document, "Assurance on children whose practice was inadequate", "Heading 2")
    para(document, "{{ evidence.assurance.reading }}")
    tag(document, "{%p if evidence.assurance.inadequate %}")
    loop_table(
        document,
        ["Child ID", "Team", "Child judged safe at the time", "Action taken (owner, due, status)", "Re-review"],
        [
            [("{{ c.child_id }}", "b"), ("\n{{ c.ref }}", "small muted")],
            [("{{ c.team }}", ""), ("\n{{ c.level_of_need }}", "small muted")],
            [("{{ c.child_safe }}", "b")],
            "{% for a in c.actions %}{{ a.action }} ({{ a.owner }}, {{ a.due|shortdate }}, {{ a.status }})"
            "{% if not loop.last %}\n{% endif %}{% else %}No action recorded{% endfor %}",
            REREVIEW,
        ],
        "c in evidence.assurance.inadequate",
        widths=(2.2, 3.0, 2.6, 6.6, 2.6),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p if evidence.assurance.overdue_rereviews %}")
    para(document, "Earlier inadequate reviews past their re-review date", "Heading 3")
    loop_table(
        document,
        ["Child ID", "Team", "Child judged safe at the time", "Re-review"],
        [[("{{ c.child_id }}", "b"), ("\n{{ c.ref }}", "small muted")], "{{ c.team }}", "{{ c.child_safe }}", REREVIEW],
        "c in evidence.assurance.overdue_rereviews",
        widths=(3, 4, 4, 6),
    )
    tag(document, "{%p endif %}")

    tag(document, "{%p if evidence.assurance.rereviewed %}")
    para(document, "Children reviewed again: did the grade improve?", "Heading 2")
    para(
        document,
        "{{ evidence.assurance.rereviewed|length }} child(ren) reviewed this quarter had been reviewed before, matched by "
        "child ID. The outcome compares the grade of record with the child's previous review.",
    )
    loop_table(
        document,
        ["Child ID", "Team", "Grade history", "Previous", "Now", "Outcome"],
        [
            [("{{ r.child_id }}", "b")],
            "{{ r.team }}",
            [("{% for h in r.history %}{{ h.quarter }}: {{ h.grade }}{% if not loop.last %}\n{% endif %}{% endfor %}", "small")],
            "{{ r.previous_grade }}",
            "{{ r.grade }}",
            [("{{ r.outcome|capitalize }}", "b")],
        ],
        "r in evidence.assurance.rereviewed",
        widths=(2.0, 2.6, 4.4, 2.7, 2.7, 2.6),
    )
    tag(document, "{%p endif %}")

    para(document, "Learning followed through for each reviewed child (§13)", "Heading 2")
    para(document, "{{ evidence.follow_through.reading }}")
    tag(document, "{%p if evidence.follow_through.rows %}")
    loop_table(
        document,
        ["Child ID", "Reviewed", "Feedback to practitioner", "On the child's file", "In supervision", "Follow-up"],
        [
            [("{{ f.child_id }}", "b"), ("\n{{ f.team }}", "small muted")],
            "{{ f.review_date|shortdate }}",
            *[
                [("{% if f.steps[" + str(i) + "].state == 'done' %}{{ f.steps[" + str(i) + "].value|shortdate }}"
                  "{% else %}{{ f.steps[" + str(i) + "].state|capitalize }}{% endif %}", "")]
                for i in range(3)
            ],
            "{% set s = f.steps[3] %}{% if s.state in ('done', 'not needed') %}{{ s.value }}{% elif s.value %}"
            "{{ s.value }}: {{ s.state }}{% else %}{{ s.state|capitalize }}{% endif %}",
        ],
        "f in evidence.follow_through.rows",
        widths=(2.4, 2.2, 3.0, 2.8, 2.8, 3.8),
    )
    tag(document, "{%p endif %}")

    tag(document, "{%p if evidence.vignettes.cases %}")
    para(document, "Case vignettes (DRAFT)", "Heading 2")
    para(
        document,
        [("{{ evidence.vignettes.cases|length }} anonymised vignette(s) are drafted in {{ evidence.vignettes.file }} beside "
          "this report, marked DRAFT, for the Principal Social Worker to edit in Word before the report is final. "
          "They are kept out of this document so that an edit is never lost when the report is rendered again.", "i")],
    )
    tag(document, "{%p for v in evidence.vignettes.cases %}")
    para(document, "DRAFT — {{ v.heading }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")


def after_findings(document) -> None:
    """Triangulation: per theme, what each source says, with disagreements flagged and the rule stated."""
    tag(document, "{%p if evidence and evidence.triangulation.themes %}")
    para(document, "What each source says, theme by theme", "Heading 2")
    para(
        document,
        "{{ evidence.triangulation.themes|length }} theme(s) have evidence this quarter; sources disagree on "
        "{{ evidence.triangulation.disagreements }}. {{ evidence.triangulation.rule }}"
        "{% if evidence.triangulation.unthemed %} {{ evidence.triangulation.unthemed }} strength or worry box(es) "
        "carried no theme and are not counted.{% endif %}",
    )
    loop_table(
        document,
        ["Theme", "What the sources say (strengths / worries)", "Reading"],
        [
            [("{{ t.theme }}", "b"), ("{% if t.disagree %}\nSOURCES DISAGREE{% endif %}", "b")],
            [("{% for v in t.views if v.view %}{{ v.source }}: {{ v.strengths }} / {{ v.worries }}, {{ v.view }}"
              "{% if v.example %} — “{{ v.example }}”{% endif %}{% if not loop.last %}\n{% endif %}{% endfor %}", "small")],
            "{{ t.summary }}",
        ],
        "t in evidence.triangulation.themes",
        widths=(3.4, 9.0, 4.6),
        fills={0: "'F4CCCC' if t.disagree else 'FFFFFF'"},
    )
    tag(document, "{%p endif %}")
