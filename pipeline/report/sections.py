"""The body sections of the default report template (3–9): the tags and tables each one holds.

Split from ``template.py`` (the frame: cover, contents, summary, RAG table, appendices) so each
stays readable; both write into the same python-docx document.
"""

from __future__ import annotations

from . import performance_template
from .outline import APPENDICES, BODY, SECTIONS, TITLES, numbered, ref
from .word import fixed_table, loop_table, page_break, para, tag

__all__ = ["APPENDICES", "BODY", "SECTIONS", "TITLES", "numbered", "ref"]

def heading(document, key: str) -> None:
    """The section's numbered Heading 1."""
    para(document, TITLES[key], "Heading 1")


# Every source of a point, one per line: the area, who wrote it, and the return's reference (S-0042).
SOURCES = [
    (
        "{% for s in p.sources %}{{ s.area }}{% if s.area %} — {% endif %}{{ s.author }} · {{ s.file }}"
        "{% if not loop.last %}\n{% endif %}{% endfor %}",
        "small muted",
    )
]
INLINE_SOURCES = [
    (
        "{% for s in p.sources %}{{ s.author }}{% if s.area %}, {{ s.area }}{% endif %} ({{ s.file }})"
        "{% if not loop.last %}; {% endif %}{% endfor %}",
        "small muted",
    )
]


GRADE_HEADERS = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
GRADE_CELLS = ["{{ d.grades[0].count }}", "{{ d.grades[1].count }}", "{{ d.grades[2].count }}", "{{ d.grades[3].count }}"]


GRADE_WIDTHS = (3.6, 2.6, 1.6, 2.9, 2.6, 1.6, 2.1)  # 'Outstanding', 'improvement', 'Inadequate' each on one line


def _grade_table(document, first: str, loop: str) -> None:
    loop_table(
        document,
        [first, *GRADE_HEADERS, "Total", "Good or better"],
        [[("{{ d.label }}", "b")], *GRADE_CELLS, "{{ d.total }}", [("{{ d.good_or_better_percent|pct }}", "b")]],
        loop,
        widths=GRADE_WIDTHS,
    )


def practice(document) -> None:
    """Section 3: CCR grade distributions, by domain, team and level of need, moderation and change."""
    heading(document, "practice")
    tag(document, "{%p if not practice.reviews %}")
    para(document, [("No collaborative case reviews were returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ practice.reviews }} collaborative case reviews were returned for {{ quarter }} ({{ practice.previous_reviews }} "
        "for {{ previous_quarter }}), covering {{ practice.teams_covered }} team(s) and {{ practice.levels_covered }} of "
        "{{ practice.levels_total }} levels of need. {{ trends.lines[0].sentence }} " + ref("trends").capitalize() + " shows the trend over the year. "
        "Overall grades in this section "
        "are the moderated grade where a review was moderated, else the reviewer's; the reviewer's own grade is set "
        "against the moderator's only under Moderation below.",
    )
    tag(document, "{%p if charts.grades %}")
    para(document, "{{ charts.grades }}")
    tag(document, "{%p endif %}")
    loop_table(
        document,
        ["Overall grade", "{{ quarter }}", "%", "{{ previous_quarter }}", "%"],
        [
            [("{{ g.grade }}", "b")],
            "{{ g.count }}",
            "{{ g.percent|pct }}",
            "{{ practice.previous_overall.grades[loop.index0].count }}",
            "{{ practice.previous_overall.grades[loop.index0].percent|pct }}",
        ],
        "g in practice.overall.grades",
        widths=(5, 3, 2.5, 3, 2.5),
    )
    para(document, "Grades by domain", "Heading 2")
    para(document, "The overall row is the moderated grade where there is one; domain grades are the reviewer's (the moderator "
         "grades the overall only).")
    tag(document, "{%p if charts.domains %}")
    para(document, "{{ charts.domains }}")
    tag(document, "{%p endif %}")
    _grade_table(document, "Domain", "d in [practice.overall] + practice.domains")
    para(document, "By team", "Heading 2")
    _grade_table(document, "Team", "d in practice.by_team")
    para(document, "By level of need", "Heading 2")
    _grade_table(document, "Level of need", "d in practice.by_level")
    para(document, "Moderation: reviewer's grade against the moderator's", "Heading 2")
    para(
        document,
        "{{ practice.moderation.moderated }} of {{ practice.moderation.reviews }} reviews were moderated. "
        "The moderator agreed with the reviewer's overall grade in {{ practice.moderation.agreed_percent|pct }} of them.",
    )
    fixed_table(
        document,
        [
            ["Agreed", "Moderator graded higher", "Moderator graded lower", "Not moderated"],
            [
                [("{{ practice.moderation.agreed }} ({{ practice.moderation.agreed_percent|pct }})", "b")],
                "{{ practice.moderation.higher }} ({{ practice.moderation.higher_percent|pct }})",
                "{{ practice.moderation.lower }} ({{ practice.moderation.lower_percent|pct }})",
                "{{ practice.moderation.not_moderated }}",
            ],
        ],
        widths=(4.2, 4.2, 4.2, 4.2),
    )
    tag(document, "{%p if practice.moderation.changes %}")
    para(document, "Grades the moderator changed", "Heading 3")
    loop_table(
        document,
        ["Child ID", "Team", "Reviewer", "Reviewer's grade", "Moderated grade", "Moderator"],
        ["{{ c.child_id }}", "{{ c.team }}", "{{ c.reviewer }}", "{{ c.grade }}", [("{{ c.moderated_grade }}", "b")], "{{ c.moderator }}"],
        "c in practice.moderation.changes[:40]",
        widths=(2.0, 3, 3, 3, 3, 3),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p if practice.concerns %}")
    para(document, "Reviews graded inadequate", "Heading 2")
    loop_table(
        document,
        ["Child ID", "Team", "Level of need", "Reviewer", "Grade", "Moderated"],
        ["{{ c.child_id }}", "{{ c.team }}", "{{ c.level_of_need }}", "{{ c.reviewer }}", "{{ c.grade }}",
         "{% if c.moderated %}Yes{% else %}No{% endif %}"],
        "c in practice.concerns",
        widths=(2.0, 3, 3, 3, 3, 3),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")
    page_break(document)


def _questions(document, loop: str) -> None:
    loop_table(
        document,
        ["Question", "Answers"],
        [
            [("{{ q.question }}", "b")],
            "{% for a in q.answers %}{{ a.answer }}: {{ a.count }} ({{ a.percent|pct }}){% if not loop.last %} · {% endif %}{% endfor %}",
        ],
        loop,
        widths=(7, 10),
    )


def findings(document) -> None:
    """Section 4: dip samples, thematic audits, observations and supervision audits."""
    heading(document, "findings")
    para(document, "Dip sampling", "Heading 2")
    tag(document, "{%p if not dip_samples.samples %}")
    para(document, [("No dip samples were returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ dip_samples.samples }} dip sample(s) reviewed {{ dip_samples.children }} children against practice standards: "
        "{{ dip_samples.overall.yes_percent|pct }} fully compliant, {{ dip_samples.overall.partly_percent|pct }} partly "
        "and {{ dip_samples.overall.no_percent|pct }} not compliant.",
    )
    loop_table(
        document,
        ["Theme", "Samples", "Children", "Yes", "Partly", "No"],
        [
            [("{{ t.theme }}", "b")],
            "{{ t.returns }}",
            "{{ t.children }}",
            "{{ t.compliance.yes }} ({{ t.compliance.yes_percent|pct }})",
            "{{ t.compliance.partly }}",
            "{{ t.compliance.no }}",
        ],
        "t in dip_samples.by_theme",
        widths=(6.6, 1.9, 2.0, 2.7, 1.9, 1.9),
    )
    tag(document, "{%p if charts.dip_teams %}")
    para(document, "{{ charts.dip_teams }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p for t in dip_samples.by_theme if t.questions %}")
    para(document, "Questions on {{ t.theme }}", "Heading 3")
    _questions(document, "q in t.questions")
    tag(document, "{%p endfor %}")
    para(document, [("{{ dip_samples.findings|length }} children were not fully compliant: " + ref("lists") + " lists each with "
                     "the finding.", "i")])
    tag(document, "{%p endif %}")

    para(document, "Thematic audits", "Heading 2")
    tag(document, "{%p if not thematic.audits %}")
    para(document, [("No thematic audits were returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ thematic.audits }} thematic audit return(s) graded {{ thematic.children }} children: "
        "{{ thematic.overall.good_or_better_percent|pct }} good or better.",
    )
    loop_table(
        document,
        ["Theme", *GRADE_HEADERS, "Children", "Good or better"],
        [
            [("{{ t.theme }}", "b")],
            "{{ t.grades.grades[0].count }}",
            "{{ t.grades.grades[1].count }}",
            "{{ t.grades.grades[2].count }}",
            "{{ t.grades.grades[3].count }}",
            "{{ t.children }}",
            [("{{ t.grades.good_or_better_percent|pct }}", "b")],
        ],
        "t in thematic.by_theme",
        widths=(3.0, 2.6, 1.6, 2.9, 2.4, 2.1, 2.4),
    )
    tag(document, "{%p for t in thematic.by_theme if t.questions %}")
    para(document, "Questions on {{ t.theme }}", "Heading 3")
    _questions(document, "q in t.questions")
    tag(document, "{%p endfor %}")
    para(
        document,
        "Auditors noted a worry for {{ thematic.worries|length }} children, "
        "{{ thematic.worries|selectattr('result', 'in', ['Requires improvement', 'Inadequate'])|list|length }} of them graded "
        "requires improvement or inadequate and {{ thematic.worries|selectattr('result', 'in', ['Outstanding', 'Good'])|list|length }} "
        "graded good or better (a worry can sit beside good practice), and a strength for {{ thematic.strengths|length }}. "
        + ref("lists") + " lists each with the child's grade.",
    )
    tag(document, "{%p endif %}")

    para(document, "Observations of practice", "Heading 2")
    tag(document, "{%p if not observations.count %}")
    para(document, [("No observations of practice were returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ observations.count }} observation(s) of practice were returned"
        "{% if observations.by_nature %} ({% for a in observations.by_nature %}{{ a.answer|lower }}: {{ a.count }}"
        "{% if not loop.last %}, {% endif %}{% endfor %}){% endif %}. Observations are for reflection with the practitioner, "
        "not judgement (§6.7), so they are not graded, and what was seen is attributed to the practitioner's role and team, "
        "never their name.",
    )
    _point_bullets(document, "Strengths seen", "observations.strengths", 15)
    _point_bullets(document, "Areas for development", "observations.development", 15)
    tag(document, "{%p endif %}")

    para(document, "Supervision audits", "Heading 2")
    tag(document, "{%p if not supervision.count %}")
    para(document, [("No audits of supervision were returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ supervision.count }} audit(s) of supervision: {{ supervision.grades.good_or_better_percent|pct }} graded good or better "
        "({% for g in supervision.grades.grades %}{{ g.grade|lower }} {{ g.count }}{% if not loop.last %}, {% endif %}{% endfor %}). "
        "{{ front.supervision }}",
    )
    tag(document, "{%p if supervision.questions %}")
    _questions(document, "q in supervision.questions")
    tag(document, "{%p endif %}")
    _point_bullets(document, "What is working well", "supervision.strengths", 12)
    _point_bullets(document, "What we are worried about", "supervision.worries", 12)
    tag(document, "{%p endif %}")
    page_break(document)


def _point_bullets(document, title: str, expression: str, limit: int) -> None:
    tag(document, "{%p if " + expression + " %}")
    para(document, title, "Heading 3")
    tag(document, "{%p for p in " + expression + "[:" + str(limit) + "] %}")
    para(document, [("{{ p.text }}", ""), (" — ", "small muted"), *INLINE_SOURCES], "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if " + expression + "|length > " + str(limit) + " %}")
    para(document, [("… and {{ " + expression + "|length - " + str(limit) + " }} more in 'qa report --json'.", "i muted")])
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")


def _point_table(document, title: str, expression: str) -> None:
    tag(document, "{%p if " + expression + " %}")
    para(document, title, "Heading 3")
    loop_table(
        document,
        ["Point", "Raised by: area — author · return"],
        [[("{{ p.text }}", ""), ("{% set people = p.sources|map(attribute='author')|unique|list|length %}{% if p.count > 1 %}\n(raised by "
          "{{ people }} {{ 'person' if people == 1 else 'people' }} in {{ p.count }} returns){% endif %}", "small b muted")], SOURCES],
        "p in " + expression,
        widths=(9.5, 7.5),
    )
    tag(document, "{%p endif %}")


def summaries(document) -> None:
    """Section 5: every point of the Head of Service and service-area summaries, sourced."""
    heading(document, "summaries")
    para(
        document,
        "{{ collated.summaries|length }} summary return(s) were received. Each point below is one line of a summary, "
        "with where it came from.",
    )
    tag(document, "{%p if collated.summaries %}")
    loop_table(
        document,
        ["Summary", "Service / area", "Completed by", "Date", "Return"],
        ["{{ s.form }}", [("{{ s.area }}", "b")], "{{ s.author }}", "{{ s.completed_on|shortdate }}", [("{{ s.file }}", "small")]],
        "s in collated.summaries",
        widths=(4, 3.8, 3, 2.2, 4),
    )
    tag(document, "{%p endif %}")
    _point_table(document, "What's working well", "collated.working_well")
    _point_table(document, "What are we worried about?", "collated.worried_about")
    _point_table(document, "What needs to happen", "collated.needs_to_happen")
    performance_template.hos_activity(document)
    page_break(document)


def feedback(document) -> None:
    """Section 6: feedback from children, families, forums and staff."""
    heading(document, "feedback")
    para(document, "Children and families", "Heading 2")
    tag(document, "{%p if not children_families.returns %}")
    para(document, [("No feedback from children, families or the forums was returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ children_families.returns }} feedback return(s): {{ children_families.individual }} from individual children, "
        "young people or parents and {{ children_families.forums }} from forums{% if children_families.by_source %} (returns by "
        "source: {% for a in children_families.by_source %}{{ a.answer }} {{ a.count }}{% if not loop.last %}; {% endif %}"
        "{% endfor %}){% endif %}, hearing from {{ children_families.participants }} people in all (a forum return counts "
        "everyone who took part).",
    )
    _point_table(document, "What they said is working well", "children_families.working_well")
    _point_table(document, "What they said could be better", "children_families.could_be_better")
    _point_table(document, "What we will do in response", "children_families.responses")
    tag(document, "{%p endif %}")
    para(document, "Staff", "Heading 2")
    tag(document, "{%p if not staff.returns %}")
    para(document, [("No feedback from staff was returned for {{ quarter }}.", "i")])
    tag(document, "{%p else %}")
    para(
        document,
        "{{ staff.returns }} return(s) from the practitioners' forum and surveys, with {{ staff.respondents }} staff taking part; "
        "{{ staff.involved_in_qa }} ({{ staff.involved_percent|pct }}) said they were involved in quality assurance this quarter."
        "{% if staff.topics %} Topics: {% for a in staff.topics %}{{ a.answer|lower }} ({{ a.count }}){% if not loop.last %}, "
        "{% endif %}{% endfor %}.{% endif %}",
    )
    _point_table(document, "What's working well", "staff.working_well")
    _point_table(document, "What are we worried about?", "staff.worried_about")
    _point_table(document, "What needs to happen", "staff.needs_to_happen")
    tag(document, "{%p endif %}")
    page_break(document)


def edi(document) -> None:
    """Section 7: equality, diversity and identity evaluations from every return."""
    heading(document, "edi")
    para(
        document,
        "Every QA activity evaluates how practice understood and met children's and families' equality, diversity "
        "and identity needs (§1.6). {{ edi.with_evaluation }} of {{ edi.returns }} returns ({{ edi.coverage_percent|pct }}) "
        "gave that evaluation.",
    )
    loop_table(
        document,
        ["Return", "Received", "With an EDI evaluation"],
        [[("{{ f.form }}", "b")], "{{ f.returns }}", "{{ f.with_evaluation }}"],
        "f in edi.by_form",
        widths=(8, 4, 5),
    )
    tag(document, "{%p for f in edi.by_form if f.statements %}")
    para(document, "{{ f.form }}", "Heading 3")
    tag(document, "{%p for p in f.statements[:20] %}")
    para(document, [("{{ p.text }}", ""), (" — ", "small muted"), *INLINE_SOURCES], "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if f.statements|length > 20 %}")
    para(document, [("… and {{ f.statements|length - 20 }} more in 'qa report --json'.", "i muted")])
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    page_break(document)


def actions(document) -> None:
    """Section 8: the action ledger."""
    heading(document, "actions")
    para(
        document,
        "Every action raised on a QA return is carried from quarter to quarter until it is completed. Status is as at "
        "{{ actions.as_of|date }}; an action is overdue when its due date has passed and it is not completed. "
        "{% if doc.ledger_file %}The full ledger is in {{ doc.ledger_file }}: record completions there and save it as "
        "admin/action-updates.xlsx.{% endif %}",
    )
    fixed_table(
        document,
        [
            ["Raised this quarter", "Carried forward", "Completed", "Open", "Overdue"],
            [
                "{{ actions.raised }}",
                "{{ actions.carried_forward }}",
                "{{ actions.completed }}",
                [("{{ actions.open }}", "b")],
                [("{{ actions.overdue }}", "b")],
            ],
        ],
        widths=(3.4, 3.4, 3.4, 3.4, 3.4),
    )
    tag(document, "{%p if actions.open_actions %}")
    para(document, "Open actions by team", "Heading 2")
    loop_table(
        document,
        ["Team", "Open", "Of which overdue", "Oldest raised in"],
        [[("{{ team }}", "b")], "{{ rows|length }}", "{{ rows|selectattr('status', 'equalto', 'overdue')|list|length }}",
         "{{ rows|map(attribute='raised_in')|min }}"],
        "team, rows in actions.open_actions|groupby('team')",
        widths=(6, 3, 4, 4),
    )
    tag(document, "{%p endif %}")
    para(document, [(ref("lists") + " lists every overdue action, every action raised this quarter and every action completed, "
                     "with its owner.", "i")])
    page_break(document)


def learning(document) -> None:
    """Learning followed through: last quarter's points, then what the evidence says next (§13)."""
    from .front_sections import learning_followed_through

    heading(document, "learning")
    learning_followed_through(document)
    para(document, "What the evidence says learning should focus on next", "Heading 2")
    para(
        document,
        "What the evidence this quarter says learning should focus on (§13), for the Principal Social Worker's "
        "learning events, training and support to teams.",
    )
    tag(document, "{%p for item in learning.priorities %}")
    para(document, "{{ item }}", "List Bullet")
    tag(document, "{%p endfor %}")
    _point_table(document, "Learning requested by Heads of Service and staff", "learning.requested")
    page_break(document)
