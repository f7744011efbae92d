"""The report template's moderation-statistics part of section 3: the reading, one compact table, the chart.

Written into the default template after section 3; `pipeline/report/agreement.py` fills it.
"""

from __future__ import annotations

from .word import loop_table, para, tag

_CI = "{{ %s.value|dash }}{%% if %s.low is not none %%} ({{ %s.low }} to {{ %s.high }}){%% endif %%}"


def _ci(name: str) -> str:
    return _CI % (name, name, name, name)


def agreement_section(document) -> None:
    """Moderation agreement: a plain-language reading, a table by period, form and reviewer, and the chart."""
    tag(document, "{%p if agreement %}")
    para(document, "Moderation: how far reviewers and moderators agree", "Heading 2")
    para(document, "{{ agreement.reading }}")
    para(
        document,
        [("Over {{ agreement.period }}: the share of grades the moderator left unchanged; Cohen's kappa with linear and "
          "quadratic weights and Gwet's AC2 (quadratic weights), each with its 95% confidence interval. 1 is perfect "
          "agreement, 0 no better than chance. Kappa falls when nearly every review gets the same grade even if the "
          "grades agree; AC2 does not, so read the two together. Lowered: the moderator graded lower than the reviewer. "
          "Figures on fewer than {{ agreement.min_pairs }} moderated grades are marked *. {{ agreement.domains_note }}",
          "small muted")],
    )
    loop_table(
        document,
        ["", "Grades", "Agreed", "Lowered", "Kappa (linear)", "Kappa (quadratic)", "AC2"],
        [[("{{ a.label }}{% if a.warning %} *{% endif %}", "b")], "{{ a.pairs }}", "{{ a.agreed_percent|pct }}",
         "{{ a.lowered }}", _ci("a.kappa_linear"), _ci("a.kappa_quadratic"), _ci("a.ac2_quadratic")],
        "a in [agreement.overall] + agreement.quarters + agreement.forms + (agreement.reviewers|map(attribute='agreement')|list)",
        widths=(3.2, 1.8, 1.8, 2.1, 2.7, 2.7, 2.7),  # 17 cm: the page's text width
    )
    tag(document, "{%p if agreement.reviewers %}")
    para(document, [("Drift: each reviewer's grade minus the moderator's, in grade steps, by quarter (above 0: the "
                     "moderator graded lower), with the number of moderated grades.", "small muted")])
    tag(document, "{%p for r in agreement.reviewers %}")
    para(document, [("{{ r.reviewer }}: ", "b"), ("{% for d in r.drift %}{{ d.quarter }} {{ '%+.2f'|format(d.mean_difference) }} "
                                                  "(n={{ d.pairs }}){% if not loop.last %}; {% endif %}{% endfor %}", "")])
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    tag(document, "{%p if charts.agreement %}")
    para(document, "{{ charts.agreement }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")
