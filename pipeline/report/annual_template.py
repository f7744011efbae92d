"""The annual report's Word template, built in code like the quarterly one and written once into the workspace
(form_templates/annual-report-template.docx) for the admin to restyle; delete it to get this default back."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .word import band, field, fixed_table, loop_table, page_break, para, set_up, tag

ANNUAL_TEMPLATE_NAME = "annual-report-template.docx"


def build_annual_template() -> bytes:
    from docx import Document

    document = Document()
    set_up(document)
    _header_footer(document)
    _cover(document)
    para(document, "1. The year in summary", "Heading 1")
    para(document, "This report brings together the quality assurance activity of {{ year }} ({{ months }}) for the "
                   "Principal Social Worker's annual report: {{ quarters|length }} quarter(s) included "
                   "({{ quarters|join(', ') }}). Each figure is the one that quarter's DLT report gave.")
    tag(document, "{%p for m in messages %}")
    para(document, "{{ m }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if not_included %}")
    para(document, [("Not included (not yet begun or ended, and no returns yet): {{ not_included|join(', ') }}.", "i muted")])
    tag(document, "{%p endif %}")
    tag(document, "{%p for n in notes %}")
    para(document, [("{{ n }}", "i muted")])
    tag(document, "{%p endfor %}")
    para(document, "2. Activity against the minimums, quarter by quarter", "Heading 1")
    para(document, "Counted towards each minimum, of the minimum, with that quarter's RAG (Appendix 6). Annual minimums are "
                   "judged pro rata in each quarter, as in the quarterly reports.")
    loop_table(
        document,
        ["Activity", "Q1 Apr–Jun", "Q2 Jul–Sep", "Q3 Oct–Dec", "Q4 Jan–Mar", "Quarters green"],
        [[("{{ a.activity }}", "b"), (" {{ a.section }}", "small muted")],
         *[[("{{ a.cells[%d].text }}" % i, ""), ("{%% if a.cells[%d].rag %%}\n{{ a.cells[%d].rag }}{%% endif %%}" % (i, i), "small")]
           for i in range(4)],
         "{{ a.green_quarters }} of {{ quarters|length }}"],
        "a in activity",
        widths=(5.2, 2.4, 2.4, 2.4, 2.4, 2.2),
        fills={1: "a.cells[0].colour", 2: "a.cells[1].colour", 3: "a.cells[2].colour", 4: "a.cells[3].colour"},
    )
    page_break(document)
    para(document, "3. Quality of practice: CCR grades quarter by quarter", "Heading 1")
    para(document, "Collaborative case reviews by grade of record: the moderated grade where the review was moderated, "
                   "else the reviewer's. Over the year: {{ year_grades.reviews }} reviews, {{ year_grades.good_or_better }} "
                   "good or better.")
    loop_table(
        document,
        ["Quarter", "Reviews", "Outstanding", "Good", "Requires improvement", "Inadequate", "Good or better"],
        [[("{{ g.quarter }}", "b")], "{{ g.reviews }}", "{{ g.counts[0] }}", "{{ g.counts[1] }}", "{{ g.counts[2] }}",
         "{{ g.counts[3] }}", [("{{ g.good_or_better }}", "b")]],
        "g in grades",
        widths=(2.7, 1.7, 2.7, 1.6, 3.0, 2.5, 2.8),
    )
    tag(document, "{%p if charts.grades %}")
    para(document, "{{ charts.grades }}")
    para(document, "CCR grades of record by quarter, % of reviews (the number of reviews in each bar). Dark green "
                   "Outstanding, light green Good, orange Requires improvement, red Inadequate.", "Caption")
    tag(document, "{%p endif %}")
    para(document, "4. Moderation agreement over the year", "Heading 1")
    para(document, "Agreement is the share of moderated reviews where the moderator's grade was the reviewer's. Over the "
                   "year the moderator agreed in {{ year_moderation.agreed }} of {{ year_moderation.moderated }} "
                   "({{ year_moderation.agreed_percent }}), graded higher in {{ year_moderation.higher }} and lower in "
                   "{{ year_moderation.lower }}; {{ year_moderation.reviews - year_moderation.moderated }} review(s) "
                   "were not moderated.")
    loop_table(
        document,
        ["Quarter", "Reviews", "Moderated", "Agreed", "Moderator higher", "Moderator lower", "Agreement"],
        [[("{{ m.quarter }}", "b")], "{{ m.reviews }}", "{{ m.moderated }}", "{{ m.agreed }}", "{{ m.higher }}",
         "{{ m.lower }}", [("{{ m.agreed_percent }}", "b")]],
        "m in moderation",
        widths=(2.7, 1.7, 2.5, 1.8, 2.8, 2.8, 2.7),
    )
    page_break(document)
    para(document, "5. Actions raised and completed", "Heading 1")
    para(document, "{{ actions_raised }} action(s) were raised from QA returns in the quarters included: "
                   "{{ actions_completed }} completed, {{ actions_open }} open and {{ actions_overdue }} overdue as at "
                   "{{ as_of|date }} (completions from the action register in admin/).")
    loop_table(
        document,
        ["Quarter", "Actions raised", "Of those, completed"],
        [[("{{ x.quarter }}", "b")], "{{ x.raised }}", "{{ x.completed }}"],
        "x in actions",
        widths=(4, 4, 4),
    )
    para(document, "6. Themes audited", "Heading 1")
    tag(document, "{%p if not themes %}")
    para(document, [("No themed dip samples or thematic audits were returned in the quarters included.", "i")])
    tag(document, "{%p else %}")
    loop_table(
        document,
        ["Quarter", "Activity", "Theme", "Returns", "Children"],
        [[("{{ t.quarter }}", "b")], "{{ t.kind }}", "{{ t.theme }}", "{{ t.returns }}", "{{ t.children }}"],
        "t in themes",
        widths=(2.8, 3.0, 7.0, 2.0, 2.2),
    )
    tag(document, "{%p endif %}")
    para(document, "7. Learning events and learning priorities", "Heading 1")
    para(document, "Learning events in the QA plan", "Heading 2")
    tag(document, "{%p if not learning_events %}")
    para(document, [("The QA plan names no learning event in {{ year }}.", "i")])
    tag(document, "{%p else %}")
    loop_table(
        document,
        ["Date", "With", "Theme", "Notes"],
        [[("{% if e.date %}{{ e.date|date }}{% else %}To be confirmed{% endif %}", "b")], "{{ e.activity }}",
         "{{ e.theme }}", [("{{ e.notes }}", "small")]],
        "e in learning_events",
        widths=(3.2, 3.4, 4.6, 5.8),
    )
    tag(document, "{%p endif %}")
    para(document, "What the year's evidence asks of learning and development", "Heading 2")
    tag(document, "{%p for p in learning_priorities %}")
    para(document, "{{ p }}", "List Bullet")
    tag(document, "{%p endfor %}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _header_footer(document) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("OFFICIAL-SENSITIVE · {{ organisation }} · PSW annual QA report {{ year }}")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    field(footer, "PAGE", "1")
    footer.add_run(" of ")
    field(footer, "NUMPAGES", "1")
    footer.add_run(" · child IDs only: names are never included in this report")


def _cover(document) -> None:
    for _ in range(3):
        para(document)
    band(document, [[("{{ organisation }}", "white b large")], [("{{ title }}", "white cover")],
                    [("{{ year }} · {{ months }}", "white b large")]])
    para(document)
    fixed_table(
        document,
        [["Prepared by", "The Principal Social Worker, with the Quality Assurance unit"],
         ["Quarters included", "{% for q in quarters %}{{ q }}{% if quarter_status[loop.index0] != 'Ended' %} (in progress)"
                               "{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}"],
         ["Returns as at", "{{ as_of|date }}"]],
        widths=(4, 13),
        header=False,
    )
    page_break(document)
