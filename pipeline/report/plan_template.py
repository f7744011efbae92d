"""The report template's part of section 2 on the QA plan: the method note, the plan against what
happened (Appendices 7–8), and when the quarter's returns were due, with the late ones marked."""

from __future__ import annotations

from .word import loop_table, para, tag


def plan_section(document) -> None:
    """Write the method note, 'Activity against the QA plan' and 'When returns were due' (docxtpl tags over `activity`)."""
    tag(document, "{%p for m in activity.method %}")
    para(document, [("{{ m }}", "small muted")])
    tag(document, "{%p endfor %}")
    tag(document, "{%p if activity.plan or activity.plan_problems %}")
    para(document, "Activity against the QA plan", "Heading 2")
    para(
        document,
        "Each activity planned for the quarter (the QA plan, Appendices 7 and 8) against what was returned: "
        "{{ activity.plan_green }} green, {{ activity.plan_amber }} amber (late, or not on the planned theme) and "
        "{{ activity.plan_red }} red (not done).",
    )
    loop_table(
        document,
        ["Planned", "Activity", "Status", "Theme", "RAG"],
        [
            [("{% if row.week_beginning %}w/b {{ row.week_beginning|shortdate }}{% else %}{{ row.month }}{% endif %}", "")],
            [("{{ row.activity }}", "b"), ("{% if row.who %}\n{{ row.who }}{% endif %}", "small muted"),
             ("\n{{ row.note }}", "small muted")],
            "{{ row.status }}",
            [("{{ row.theme }}", ""), ("{% if row.theme_status %}\n{{ row.theme_status }}{% endif %}", "small muted")],
            [("{{ row.rag }}", "b")],
        ],
        "row in activity.plan",
        widths=(2.6, 6.4, 2.8, 3.3, 1.9),
        fills={4: "row.colour"},
    )
    tag(document, "{%p for problem in activity.plan_problems %}")
    para(document, [("{{ problem }}", "i")], "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    para(document, "When the quarter's returns were due", "Heading 2")
    para(document, "{{ activity.deadline }}")
    tag(document, "{%p if activity.late %}")
    loop_table(
        document,
        ["Ref", "Form", "Completed by", "Received", "Late"],
        [[("{{ l.ref }}", "small")], "{{ l.form }}", "{{ l.author }}", "{{ l.received|shortdate }}",
         [("Late", "b")]],
        "l in activity.late",
        widths=(2.4, 5.6, 4.2, 2.6, 2.2),
    )
    tag(document, "{%p endif %}")
