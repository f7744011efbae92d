"""Template writers for page one (what we know, how we know it, what we will do), trends, and learning followed through."""

from __future__ import annotations

from .sections import heading
from .word import band, loop_table, page_break, para, tag

EVIDENCE = ("{% if s.evidence %} ({{ s.evidence }}){% endif %}", "small muted")


def page_one(document) -> None:
    """Section 1: the judgement, Ofsted's three questions and the PSW's commentary box, on one page."""
    heading(document, "summary")
    band(document, [[("{{ front.judgement }}", "white b"), ("{% if front.evidence %} ({{ front.evidence }}){% endif %}", "white small")]])
    para(document, "What we know", "Heading 2")
    tag(document, "{%p for s in front.know %}")
    para(document, [("{{ s.text }}", ""), EVIDENCE], "List Bullet")
    tag(document, "{%p endfor %}")
    para(document, "How we know it", "Heading 2")
    tag(document, "{%p for s in front.how %}")
    para(document, [("{{ s.text }}", ""), EVIDENCE], "List Bullet")
    tag(document, "{%p endfor %}")
    para(document, "What we will do: decisions for DLT", "Heading 2")
    tag(document, "{%p for s in front.will_do %}")
    para(document, [("{{ s.text }}", ""), EVIDENCE], "List Number")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if not front.will_do %}")
    para(document, [("The evidence this quarter points to no decision for DLT.", "i")])
    tag(document, "{%p endif %}")
    para(document, "Principal Social Worker's commentary", "Heading 2")
    band(
        document,
        [  # one row: an empty second row would be a grey strip that can spill onto a page of its own
            [("{% for p in front.commentary.paragraphs %}{{ p }}{% if not loop.last %}\n{% endif %}{% endfor %}", ""),
             ("{% if not front.commentary.found %}To be written by the Principal Social Worker: type it in "
              "{{ front.commentary.file }} (or a .txt file of that name) and render the report again; it is included as "
              "written.{% endif %}", "i muted")],
        ],
        fill="F2F2F2",
    )
    page_break(document)


def trends(document) -> None:
    """The trends section: each quarter's shares with n and intervals, the latest change, the targets, the method."""
    heading(document, "trends")
    para(document, "{{ trends.targets }} {{ trends.few_quarters }}")
    tag(document, "{%p if charts.trend %}")
    para(document, "{{ charts.trend }}")
    tag(document, "{%p endif %}")
    para(document, "Each quarter (moderated grade where there is one)", "Heading 2", keep=True)
    loop_table(
        document,
        ["Quarter", "Reviews (n)", "Good or better (95% CI)", "Inadequate (95% CI)"],
        [[("{{ q.quarter }}", "b")], "{{ q.n }}", "{{ q.good }}", "{{ q.inadequate }}"],
        "q in trends.by_quarter",
        widths=(3.4, 2.6, 5.5, 5.5),
    )
    para(document, "This quarter against the last, and against the targets", "Heading 2", keep=True)
    loop_table(
        document,
        ["Measure", "{% if trends.quarters|length > 1 %}{{ trends.quarters[0] }} to {% endif %}{{ trends.quarters[-1] }}", "This quarter", "Change from last quarter",
         "Target", "Against target"],
        [[("{{ t.label }}", "b")], "{{ t.series }}", "{{ t.now }}", "{{ t.change }}", "{{ t.target }}", [("{{ t.versus }}", "b")]],
        "t in trends.table",
        widths=(3.7, 3.0, 2.2, 3.3, 2.2, 2.6),
    )
    para(document, [("Method. {{ trends.method }}", "i muted")])
    page_break(document)


def learning_followed_through(document) -> None:
    """What earlier quarters said we would do, what happened and the evidence (§13)."""
    para(document, "Last quarter we said: what happened", "Heading 2")
    para(
        document,
        "{% if carried.points %}{{ carried.open }} point(s) carried forward and still open, {{ carried.closed }} closed this "
        "quarter. A point stays here until it is closed: a priority when its measure meets the target, any other point when "
        "the QA admin records its reference with a 'Completed on' date in admin/action-updates.xlsx.{% else %}Nothing was "
        "said in an earlier quarter that is still open.{% endif %}",
    )
    tag(document, "{%p if carried.points %}")
    loop_table(
        document,
        ["We said", "Since", "What happened", "Evidence", "Status"],
        [
            [("{{ c.text }}", ""), ("\n{{ c.kind }}{% if c.source %} · {{ c.source }}{% endif %} · {{ c.ref }}", "small muted")],
            "{{ c.said_in }}",
            "{{ c.happened }}",
            [("{{ c.evidence }}", "small")],
            [("{{ c.status }}", "b")],
        ],
        "c in carried.points",
        widths=(5.3, 2.4, 3.9, 3.6, 1.8),
    )
    tag(document, "{%p endif %}")


def appendix_lists(document) -> None:
    """Appendix: the row-level lists the body summarises."""
    heading(document, "lists")
    para(document, "The lists the body of the report summarises, row by row.", keep=True)
    tag(document, "{%p if dip_samples.findings %}")
    para(document, "Dip sampling: children not fully compliant", "Heading 2", keep=True)
    loop_table(
        document,
        ["Child ID", "Child's team", "Compliant", "Finding"],
        ["{{ f.child_id }}", "{{ f.team }}", [("{{ f.result }}", "b")], "{{ f.finding }}"],
        "f in dip_samples.findings",
        widths=(2, 3.0, 2.2, 9.8),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p if thematic.worries %}")
    para(document, "Thematic audits: every worry noted, with the child's grade", "Heading 2", keep=True)
    loop_table(
        document,
        ["Child ID", "Team", "Grade", "Worry"],
        ["{{ f.child_id }}", "{{ f.team }}", "{{ f.result }}", "{{ f.finding }}"],
        "f in thematic.worries",
        widths=(2, 3, 2.8, 9.2),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p if thematic.strengths %}")
    para(document, "Thematic audits: every strength noted, with the child's grade", "Heading 2", keep=True)
    loop_table(
        document,
        ["Child ID", "Team", "Grade", "Strength"],
        ["{{ f.child_id }}", "{{ f.team }}", "{{ f.result }}", "{{ f.finding }}"],
        "f in thematic.strengths",
        widths=(2, 3, 2.8, 9.2),
    )
    tag(document, "{%p endif %}")
    for title, items, last in (
        ("Overdue actions", "actions.overdue_actions", ("Days over", "{{ a.days_overdue }}")),
        ("Actions raised this quarter", "actions.raised_this_quarter", ("Status", "{{ a.status|capitalize }}")),
        ("Actions completed", "actions.completed_actions", ("Done", "{{ a.completed_on|shortdate }}")),
    ):
        tag(document, f"{{%p if {items} %}}")
        para(document, title, "Heading 2", keep=True)
        loop_table(
            document,
            ["Ref", "Action", "Team", "Owner", "Due", last[0], "Child ID"],
            [[("{{ a.ref }}", "small")], "{{ a.action }}", "{{ a.team }}", "{{ a.owner }}", "{{ a.due|shortdate }}",
             [(last[1], "b")], "{{ a.child_id }}"],
            f"a in {items}",
            widths=(2.8, 4.4, 2.4, 2.2, 2.0, 1.6, 1.6),
        )
        tag(document, "{%p endif %}")
    tag(document, "{%p if activity.unreturned %}")
    para(document, "Forms issued and not yet returned", "Heading 2", keep=True)
    loop_table(
        document,
        ["Issue", "Form", "Child ID", "Issued on"],
        [[("{{ u.issue_id }}", "small")], "{{ u.form }}", "{{ u.child_id }}", "{{ u.issued_on|shortdate }}"],
        "u in activity.unreturned",
        widths=(6.2, 6.4, 2.0, 2.4),
    )
    tag(document, "{%p endif %}")
    page_break(document)

