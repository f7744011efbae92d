"""The report template's pieces for report/performance.py: performance data, and the Heads of Service's QA activity."""

from __future__ import annotations

from .word import loop_table, page_break, para, tag


def performance(document) -> None:
    """Performance data beside the audit findings (continues section 4, on its own page)."""
    tag(document, "{%p if performance.file %}")
    para(document, "Performance data beside the audit findings", "Heading 2")
    para(
        document,
        "From {{ performance.file }}: {{ performance.indicators|length }} indicator(s) with a figure for {{ quarter }}, "
        "{{ performance.red }} red, {{ performance.amber }} amber and {{ performance.green }} green in their latest month. "
        "{{ performance.rule }}",
    )
    tag(document, "{%p if performance.indicators %}")
    loop_table(
        document,
        ["Indicator", "Latest month", "Value", "Target", "RAG", "Direction", "This quarter"],
        [
            [("{{ i.line.indicator }}", "b"), ("{% if i.line.area %}\n{{ i.line.area }}{% endif %}", "small muted")],
            "{{ i.line.month }}",
            [("{{ i.line.value }}", "b")],
            [("{{ i.line.target }}", ""), ("\n{{ i.line.better }}", "small muted")],
            [("{{ i.line.rag }}", "b")],
            "{{ i.line.direction }}",
            [("{{ i.line.months }}", "small")],
        ],
        "i in performance.indicators",
        widths=(3.8, 2.0, 2.2, 2.3, 1.6, 2.3, 2.8),  # "Direction" on one line
        fills={4: "i.colour"},
    )
    tag(document, "{%p endif %}")
    para(document, "Themes the performance data suggests", "Heading 3")
    tag(document, "{%p for s in performance.suggestions %}")
    para(document, "{{ s }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if not performance.suggestions %}")
    para(document, [("No indicator has been off target for two months running.", "i")])
    tag(document, "{%p endif %}")
    tag(document, "{%p if performance.problems %}")
    para(document, [("Rows of {{ performance.file }} left out of these figures until they are corrected:", "i muted")])
    tag(document, "{%p for p in performance.problems %}")
    para(document, [("{{ p }}", "small muted")], "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    page_break(document)
    tag(document, "{%p endif %}")


def hos_activity(document) -> None:
    """The Heads of Service's 'QA activity undertaken in the period' (in section 5)."""
    para(document, "QA activity Heads of Service undertook in the quarter", "Heading 2")
    tag(document, "{%p if not hos_activity %}")
    para(document, [("No Head of Service summary returned for {{ quarter }} describes the QA activity undertaken.", "i")])
    tag(document, "{%p else %}")
    loop_table(
        document,
        ["Service", "Head of Service", "QA activity undertaken in the period", "Return"],
        [[("{{ h.service }}", "b")], "{{ h.author }}", "{{ h.points|join('\\n') }}", [("{{ h.file }}", "small")]],
        "h in hos_activity",
        widths=(3.4, 3.0, 8.6, 2.0),
    )
    tag(document, "{%p endif %}")
