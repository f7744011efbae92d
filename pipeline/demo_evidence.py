"""The demo's answers for the report's evidence: impact, safety, re-review, follow-through, themes, re-reviewed children.

Called from the demo's CCR maker (one line each): :func:`revisit` puts children graded requires
improvement or inadequate in an earlier quarter back into this quarter's sample, so the report shows
re-review outcomes; :func:`ccr_answers` answers the version-2 questions by role, consistently with the
grade; :func:`theme_answers` gives each strength / worry text a theme from its words.
"""

from __future__ import annotations

import datetime as dt
import random

from .quarter import Quarter
from .spec import FormSpec, themes
from .store import Store, bind

# Words in a strength / worry → the theme a reviewer would choose (the first that matches).
THEME_WORDS = (
    (("contingency", "network", "safety plan"), "Contingency planning and safety networks"),
    (("danger", "safety goal"), "Danger / worry statements and safety goals"),
    (("views", "own words", "three houses", "direct work", "seen alone", "goals"), "Voice of the child"),
    (("visit",), "Quality of visits"),
    (("father", "dad"), "Fathers and wider family"),
    (("oversight", "supervision", "iro"), "Management oversight and supervision"),
    (("chronology", "recording", "written up", "case summary"), "Case recording"),
    (("drift", "changes of social worker"), "Drift and delay"),
    (("health",), "Health"),
    (("police", "strategy"), "Multi-agency working"),
    (("mum", "family"), "Parents and carers' engagement"),
)


def theme_for(text: object) -> str:
    """The theme a reviewer would give *text*, from its words (else 'Other' where the list has it)."""
    words = str(text or "").casefold()
    names = list(themes())
    for keys, theme in THEME_WORDS:
        if theme in names and any(key in words for key in keys):
            return theme
    return "Other" if "Other" in names else names[-1]


def theme_answers(spec: FormSpec, values: dict, groups: dict | None = None) -> None:
    """Give every answered strength / worry text of *values* (and *groups*' rows) a theme, where none is set."""
    for pair in spec.theme_pairs():
        rows = (groups or {}).get(pair.group.id, []) if pair.group else [values]
        for row in rows:
            if row.get(pair.text.id) and not row.get(pair.theme.id):
                row[pair.theme.id] = theme_for(row[pair.text.id])


def revisit(store: Store, catalogue, quarter: Quarter, children: list[str], count: int = 4) -> None:
    """Put up to *count* children graded RI or Inadequate in earlier quarters into *children* (positions 2 on)."""
    from .report.practice import grade_of_record

    latest: dict[str, object] = {}
    for review in sorted((s for s in bind(store.submissions(), catalogue) if s.form == "ccr" and s.child_id
                          and (s.quarter or "") < quarter.label), key=lambda s: (s.quarter or "", s.id)):
        latest[str(review.child_id)] = review  # each child's most recent review
    concern = [r for r in latest.values() if grade_of_record(r) in ("Requires improvement", "Inadequate")]
    seen = [str(r.child_id) for r in sorted(concern, key=lambda r: (r.quarter or "", r.id), reverse=True)]
    for offset, child in enumerate(seen[:count]):
        if child not in children:
            children[2 + offset] = child


def ccr_answers(spec: FormSpec, chooser: random.Random, values: dict, quarter: Quarter) -> dict:
    """The version-2 CCR answers (by role) for a review with *values*, consistent with its grade and dates."""
    grade = values.get(_id(spec, "overall_grade"))
    weights = {"Outstanding": (8, 2, 0), "Good": (6, 3, 1), "Requires improvement": (2, 6, 2), "Inadequate": (0, 3, 5)}
    impact = spec.role_field("impact")
    answers: dict[str, object] = {}
    if impact is not None:
        answers[impact.id] = chooser.choices(impact.choices, weights=weights.get(str(grade), (1, 1, 1)))[0]
    reviewed = values.get(_id(spec, "completed_on")) or quarter.start
    reviewed = reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(str(reviewed))
    not_safe = grade == "Inadequate" and chooser.random() < 0.5
    _set(answers, spec, "child_safe", "No" if not_safe else "Yes")
    if grade == "Inadequate":
        _set(answers, spec, "rereview_date", reviewed + dt.timedelta(days=chooser.choice((14, 42, 90))))
    for role, chance, days in (("feedback_given_on", 0.9, (2, 10)), ("placed_on_file_on", 0.75, (5, 20)),
                               ("supervision_on", 0.55, (10, 45))):
        on = reviewed + dt.timedelta(days=chooser.randint(*days))
        if chooser.random() < chance and on <= quarter.end:
            _set(answers, spec, role, on)
    _set(answers, spec, "follow_up", chooser.choices(("Dip sample", "Audit", "None needed"), weights=(3, 1, 4))[0])
    theme_answers(spec, values)
    return answers


def _id(spec: FormSpec, role: str) -> str:
    field = spec.role_field(role)
    return field.id if field else role


def _set(answers: dict, spec: FormSpec, role: str, value: object) -> None:
    field = spec.role_field(role)
    if field is not None:
        answers[field.id] = value
