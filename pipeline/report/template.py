"""The Word report template: written once into the workspace, then restyled by the QA admin in Word.

The template holds docxtpl (Jinja) tags over the report model's JSON: ``{{ practice.reviews }}``,
``{%tr for line in activity.lines %}`` and so on. Everything about how the report looks — fonts,
colours, the cover, headers, wording around the numbers, how many rows a long list shows — lives
here, so an admin can change it in Word without touching Python. Delete the workspace copy to get
this default back.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from . import front_sections, performance_template, sections, sections_evidence
from .agreement_template import agreement_section
from .plan_template import plan_section
from .sections import SECTIONS, heading, ref
from .word import band, contents, field, fixed_table, loop_table, page_break, para, set_up, tag

TEMPLATE_NAME = "report-template.docx"


def template_path(workspace_root: Path) -> Path:
    """Where a workspace keeps its (restyleable) copy of the report template."""
    return workspace_root / "form_templates" / TEMPLATE_NAME


def ensure_template(path: Path) -> Path:
    """Write the default template at *path* if there is none; never replace the admin's copy."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = build_template()
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)  # an admin opening the folder never sees half a file
    return path


def build_template() -> bytes:
    """The default report template as .docx bytes."""
    from docx import Document

    document = Document()
    set_up(document)
    _header_footer(document)
    _cover(document)
    para(document, "Contents", "Title")
    contents(document, SECTIONS)
    page_break(document)
    front_sections.page_one(document)
    _summary(document)
    _activity(document)
    sections.practice(document)
    agreement_section(document)
    sections_evidence.after_practice(document)
    front_sections.trends(document)
    sections.findings(document)
    sections_evidence.after_findings(document)
    performance_template.performance(document)
    sections.summaries(document)
    sections.feedback(document)
    sections.edi(document)
    sections.actions(document)
    sections.learning(document)
    front_sections.appendix_lists(document)
    _appendices(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _header_footer(document) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("OFFICIAL-SENSITIVE · {{ organisation }} · QA report {{ quarter }}")
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
    band(
        document,
        [
            [("{{ organisation }}", "white b large")],
            [("{{ title }}", "white cover")],
            [("Quarter {{ quarter }} · {{ months }}", "white b large")],
        ],
    )
    para(document)
    fixed_table(
        document,
        [
            ["Prepared by", "Quality Assurance unit, for the Principal Social Worker and Head of Service (QA and Safeguarding)"],
            ["For", "Departmental Leadership Team{% if doc.dlt_date %}, meeting of {{ doc.dlt_date|date }}{% endif %}"],
            ["Returns as at", "{{ as_of|date }} (the report covers returns for {{ quarter }} received by {{ generated_on|date }})"],
            ["Compared with", "{% if practice.previous_reviews %}{{ previous_quarter }}{% else %}no previous quarter (no collaborative "
             "case reviews for {{ previous_quarter }}){% endif %}"],
        ],
        widths=(4, 13),
        header=False,
    )
    para(document)
    para(
        document,
        [
            (
                "This report contains information about children, identified by their ID only. "
                "Children's names are never included. Handle as OFFICIAL-SENSITIVE.",
                "i muted",
            )
        ],
    )
    page_break(document)


def _summary(document) -> None:
    para(document, "Key figures", "Heading 2")
    para(
        document,
        "The quality assurance returns for {{ quarter }} ({{ months }}) at a glance; each figure is explained in the "
        "section named beside it.",
    )
    loop_table(
        document,
        ["", "This quarter", ""],
        [[("{{ f.label }}", "b")], [("{{ f.value }}", "b")], "{{ f.note }}"],
        "f in figures",
        widths=(4.6, 3.2, 9.2),
    )
    tag(document, "{%p for n in notes %}")
    para(document, [("{{ n }}", "i muted")])
    tag(document, "{%p endfor %}")
    page_break(document)


def _activity(document) -> None:
    heading(document, "activity")
    para(
        document,
        "Against the framework's minimums (Appendix 6): {{ activity.green }} of {{ activity.lines|length }} activities "
        "green, {{ activity.amber }} amber and {{ activity.red }} red overall. {{ activity.note }} Received is everything "
        "returned; Counted is what counts towards the minimum (each person's returns count up to what they owe), so "
        "Outstanding is the minimum less Counted. Rejected is files rejected and not yet resolved by a corrected "
        "resubmission. An activity can be green or amber overall while some people are red on it: those are counted by "
        "team below.",
    )
    loop_table(
        document,
        ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"],
        [
            [("{{ line.activity }}", "b"), (" {{ line.section }}", "small muted")],
            "{{ line.minimum }}",
            "{{ line.received }}",
            "{{ line.counted }}",
            "{{ line.outstanding }}",
            "{{ line.rejected }}",
            [("{{ line.rag }}", "b")],
        ],
        "line in activity.lines",
        widths=(4.6, 2.0, 2.0, 1.9, 2.6, 2.0, 1.9),  # wide enough that no heading or 'Amber' breaks mid-word
        fills={6: "line.colour"},
        note=[("{{ line.unit|capitalize }}, {{ line.period }}. {{ line.note }}", "small muted")],
    )
    tag(document, "{%p for gap in activity.ccr_gaps %}")
    para(document, [("{{ gap }}", "i")], "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if activity.people %}")
    para(document, "Activity still to do, by team", "Heading 2")
    para(
        document,
        "{{ activity.people|length }} obligation(s) still to do: {{ activity.people_red }} red, {{ activity.people_amber }} "
        "amber, the rest green (annual activity due later in the year is green while on track). People are not named "
        "here: 'qa status' and the tracker list who owes what, for managers.",
    )
    loop_table(
        document,
        ["Team", "Still to do", "Red", "Amber", "Activities"],
        [
            [("{{ team }}", "b")],
            "{{ rows|length }}",
            "{{ rows|selectattr('rag', 'equalto', 'Red')|list|length }}",
            "{{ rows|selectattr('rag', 'equalto', 'Amber')|list|length }}",
            "{{ rows|map(attribute='activity')|unique|join(', ') }}",
        ],
        "team, rows in activity.people|groupby('team')",
        widths=(4.2, 2.2, 1.4, 1.6, 7.6),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p if activity.unreturned %}")
    para(document, [("{{ activity.unreturned|length }} form(s) issued for {{ quarter }} have not been returned (listed in "
                     + ref("lists") + ").", "i")])
    tag(document, "{%p endif %}")
    plan_section(document)
    page_break(document)


def _appendices(document) -> None:
    heading(document, "sources")
    para(
        document,
        "Every return this report draws on ({{ sources|length }}), by its reference. File names are not printed: "
        "'qa status --quarter {{ quarter }} --files' shows the QA admin the file behind each reference.",
        keep=True,
    )
    loop_table(
        document,
        ["Ref", "Form", "Completed by", "Received", "Child ID"],
        [[("{{ s.ref }}", "small")], "{{ s.form }}", "{{ s.author }}", "{{ s.received|shortdate }}", "{{ s.child_id }}"],
        "s in sources",
        widths=(2.4, 6.6, 3.8, 2.4, 1.8),
    )
    heading(document, "rejected")
    para(
        document,
        "Files rejected for {{ quarter }} ({{ rejections.total }}): {{ rejections.resolved }} resolved by a corrected "
        "resubmission, {{ rejections.outstanding }} outstanding. A note explaining the reasons was left beside each file "
        "in rejected/; nothing is sent to anyone. A file whose quarter could not be read is counted in the quarter "
        "written in its name or folder, else the quarter it arrived in. References are ingest-log numbers "
        "('qa status --quarter {{ quarter }} --files' shows the file behind each).",
        keep=True,
    )
    tag(document, "{%p if rejected %}")
    loop_table(
        document,
        ["Ref", "Rejected", "Form", "Reasons", "Resolved by"],
        [
            [("{{ r.ref }}", "small")],
            "{{ r.at }}",
            [("{{ r.form }}", ""), ("\n{{ r.quarter }}", "small muted")],
            "{{ r.reasons|join('\\n') }}",
            [("{% if r.resolved_by %}{{ r.resolved_by }}\n{{ r.resolved_on|shortdate }}{% else %}Outstanding{% endif %}", "b")],
        ],
        "r in rejected",
        widths=(1.8, 2.4, 3.2, 7.0, 2.6),
    )
    tag(document, "{%p endif %}")
    heading(document, "drafts")
    para(
        document,
        "A summary form (Appendix 1) for each area of service, pre-filled with the activity the QA unit holds, "
        "for its Head of Service to complete and return to the inbox{% if doc.drafts_folder %} ({{ doc.drafts_folder }}){% endif %}.",
        keep=True,
    )
    loop_table(
        document,
        ["Area of service", "Summary returned", "Draft"],
        [[("{{ d.area }}", "b")], "{% if d.returned %}Yes ({{ d.returned_by }}){% else %}Not yet{% endif %}", [("{{ d.file }}", "small")]],
        "d in service_areas",
        widths=(6, 4, 7),
    )
