"""The one list of practice themes: what a strength or a worry on any form is about.

Every strength / worry text on every form has a theme choice beside it (``theme_of:`` in the spec),
offering this list, so the report can set what each source says about one theme side by side
(issue 13.3). Drawn from the CCR's domains (Appendix 4), the themes of the QA plan (Appendices 7–8),
equality, diversity and identity (§1.6) and the learning the framework reports on (§11, §13).
"""

from __future__ import annotations

THEMES: tuple[str, ...] = (
    "Voice of the child",
    "Quality of visits",
    "Assessment",
    "Planning",
    "Contingency planning and safety networks",
    "Danger / worry statements and safety goals",
    "Multi-agency working",
    "Parents and carers' engagement",
    "Fathers and wider family",
    "Management oversight and supervision",
    "Case recording",
    "Drift and delay",
    "Health",
    "Education",
    "Equality, diversity and identity",
    "Care leavers and transitions",
    "Workforce and workload",
    "Other",
)


def themes() -> tuple[str, ...]:
    """The practice themes, in the order the forms offer them."""
    return THEMES
