"""The demo's answers to the version-2 questions: impact, safety, themes, EDI judgements, follow-through, moderation.

Each function takes the demo's quarter maker (its random generator, roster and dates) and the answers
already written, and returns the new answers, plausible for them: impact follows the grade, a child
not judged safe gets a re-review date, themes follow the sentence they label, and not every
follow-through step has happened yet.
"""

from __future__ import annotations

import datetime as dt

from . import demo_content as text
from .spec import GRADES, themes

EDI_JUDGEMENTS = ("Understood and met", "Partly understood or met", "Not understood or met")
SAFE_REREVIEW_DAYS = (28, 56)


def theme_of(sentences: object, chooser) -> str:
    """The theme of the first sentence of a demo answer (one the demo wrote), else a plausible one."""
    first = str(sentences or "").split("\n")[0]
    return text.THEME_OF.get(first) or chooser.choice(themes()[:-1])


def edi_judgement(evaluation: object, chooser) -> str:
    return text.EDI_JUDGEMENT.get(str(evaluation)) or chooser.choice(EDI_JUDGEMENTS)


def _after(day: object, chooser, low: int, high: int) -> dt.date | None:
    start = day if isinstance(day, dt.date) else None
    return start + dt.timedelta(days=chooser.randint(low, high)) if start else None


def _sometimes(chooser, share: float, value):
    return value if chooser.random() < share else None


def ccr(maker, values: dict) -> dict:
    """Impact, safety, selection, participants, views, themes, EDI, follow-through and moderation for one CCR."""
    chooser, grade, level = maker.random, values["overall_grade"], values.get("level_of_need")
    rank = GRADES.index(grade)
    impact = chooser.choices(("Better", "About the same", "Worse"), ((8, 2, 0), (6, 3, 1), (2, 6, 2), (1, 4, 5))[rank])[0]
    safe = "No" if rank == 3 and chooser.random() < 0.5 else "Yes"
    reviewed = values.get("review_date")
    answers = {
        "selection_reason": chooser.choices(
            ("Cross-sample", "Previously Requires improvement or Inadequate, bordering Good", "Other"), (7, 2, 1))[0],
        "took_part_social_worker": chooser.choices(("Yes", "No"), (9, 1))[0],
        "took_part_iro": ("Not involved with the child" if level in ("Early help", "Child in need", "Care leaver")
                          else chooser.choices(("Yes", "No"), (7, 3))[0]),
        "took_part_team_manager": chooser.choices(("Yes", "No"), (3, 1))[0],
        "discussed_with_manager_on": _sometimes(chooser, 0.85, _after(reviewed, chooser, 1, 10)),
        "views_gone_well": chooser.choice(text.CHILD_VIEWS_WELL),
        "views_could_be_better": chooser.choice(text.CHILD_VIEWS_BETTER),
        "gone_well_theme": theme_of(values.get("gone_well"), chooser),
        "needs_to_happen_theme": theme_of(values.get("needs_to_happen"), chooser),
        "edi_judgement": edi_judgement(values.get("edi_evaluation"), chooser),
        "impact": impact,
        "child_safe": safe,
        "rereview_date": _after(reviewed, chooser, *SAFE_REREVIEW_DAYS) if safe == "No" or rank == 3 else None,
        "bordering_good": (chooser.choices(("Yes", "No"), (2, 3))[0]) if rank >= 2 else None,
        "feedback_given_on": _sometimes(chooser, 0.8, _after(reviewed, chooser, 2, 9)),
        "placed_on_file_on": _sometimes(chooser, 0.7, _after(reviewed, chooser, 5, 20)),
        "supervision_on": _sometimes(chooser, 0.5, _after(reviewed, chooser, 10, 35)),
        "follow_up": _sometimes(chooser, 0.8, ("None needed", "None needed", "Dip sample", "Audit")[rank]),
    }
    moderated = values.get("moderated_grade")
    if moderated:
        answers["moderator_edi"] = chooser.choices(("Well evaluated", "Partly evaluated", "Not evaluated"), (5, 3, 1))[0]
        if moderated != grade:
            answers["moderation_reason"] = chooser.choice(text.MODERATION_REASONS)
    return answers


def observation(maker, values: dict, senior: bool) -> dict:
    """Meeting focus, themes, EDI judgement and the feedback dates of one observation."""
    chooser, seen = maker.random, values.get("observation_date")
    focus = ["Leadership of the meeting", "Multi-agency working", "Involvement of the child and family"]
    return {
        "meeting_focus": chooser.sample(focus, chooser.randint(1, 3)) if values.get("nature") == "Meeting" else None,
        "strengths_theme": theme_of(values.get("strengths"), chooser),
        "development_theme": theme_of(values.get("areas_for_development"), chooser),
        "edi_judgement": edi_judgement(values.get("edi_evaluation"), chooser),
        "feedback_given_on": _sometimes(chooser, 0.85, _after(seen, chooser, 1, 10)),
        "manager_feedback_on": _after(seen, chooser, 1, 14) if senior else _sometimes(chooser, 0.3, _after(seen, chooser, 3, 14)),
        "supervision_on": _sometimes(chooser, 0.6, _after(seen, chooser, 7, 30)),
    }


def strengths_and_worries(maker, values: dict) -> dict:
    """Themes and EDI judgement for a supervision audit or dip sample of supervision."""
    return {"strengths_theme": theme_of(values.get("strengths"), maker.random),
            "development_theme": theme_of(values.get("areas_for_development"), maker.random),
            "edi_judgement": edi_judgement(values.get("edi_evaluation"), maker.random)}


def finding_row(maker, row: dict) -> dict:
    """The theme of one dip-sample finding."""
    return {"finding_theme": theme_of(row.get("finding"), maker.random)}


def thematic_row(maker, row: dict) -> dict:
    """Themes of one thematic-audit row, and its moderated grade (now and then moved one step, with the reason)."""
    chooser, grade = maker.random, row["grade"]
    moderated = grade
    if chooser.random() < 0.2:
        moderated = GRADES[max(0, min(3, GRADES.index(grade) + chooser.choice((-1, 1))))]
    return {"strengths_theme": theme_of(row.get("strengths"), chooser), "worries_theme": theme_of(row.get("worries"), chooser),
            "moderated_grade": moderated,
            "moderation_reason": chooser.choice(text.MODERATION_REASONS) if moderated != grade else None}


def summary(maker, values: dict, owners: list[str]) -> tuple[dict, dict]:
    """Themes of a summary, and its 'action needed' lines as tracked actions with owners and due dates."""
    chooser = maker.random
    lines = [line for line in str(values.get("needs_to_happen") or "").split("\n") if line.strip()]
    rows = [{"action": line, "owner": chooser.choice(owners),
             "due_date": maker.quarter.end + dt.timedelta(days=chooser.randint(20, 90))} for line in lines]
    return ({"working_well_theme": theme_of(values.get("working_well"), chooser),
             "worried_about_theme": theme_of(values.get("worried_about"), chooser)}, {"actions": rows})


def feedback(maker, values: dict) -> dict:
    """Themes of what children, families or staff said."""
    return {"working_well_theme": theme_of(values.get("working_well"), maker.random),
            "worried_about_theme": theme_of(values.get("worried_about"), maker.random)}


def edi(maker, values: dict) -> dict:
    """The EDI judgement beside a form's EDI evaluation."""
    return {"edi_judgement": edi_judgement(values.get("edi_evaluation"), maker.random)}


# --- returns the version-2 forms add ---------------------------------------------------------------------

ASYE_CHECKS = ("frequency_met", "caseload_protected", "reflective", "child_focus", "case_direction", "development_linked")


def more_returns(maker) -> None:
    """The returns the earlier demo did not make: dip samples of ASYE supervision, the quarterly survey of workers."""
    supervision_dip_samples(maker)
    worker_survey(maker)


def supervision_dip_samples(maker) -> None:
    """The PSW and the improvement team's APs dip-sample ASYE supervision, three a month (one AP falls short)."""
    from .templates.docx_fill import fill_docx

    samplers = maker.people("psw", "improvement team ap")
    asyes = maker.people("asye") or maker.people("social worker")[:4]  # newly qualified workers in their assessed year
    if not asyes:
        return
    for index, sampler in enumerate(samplers):
        count = 7 if index == len(samplers) - 1 else 9
        for number in range(count):
            asye = asyes[(index + number) % len(asyes)]
            spec, issued = maker.issued("supervision_dip_sample", sampler.name)
            maker.random.randint(2, 24)  # drawn as before, so the rest of the demo is unchanged
            # A different session each time (one sampler never samples the same day twice: that would be a resubmission).
            month = maker.quarter.start + dt.timedelta(days=30 * (number // 3) + 2 + 7 * (number % 3) + index)
            values = {
                "quarter": maker.quarter.label, "completed_by": sampler.name, "completed_on": month + dt.timedelta(days=2),
                "auditor": sampler.name, "supervisee": asye.name, "supervisor": asye.line_manager or sampler.name,
                "team": asye.team or "Assessment",
                "auditor_role": "Principal social worker" if str(sampler.role).casefold() == "psw"
                else "Advanced practitioner (improvement team)",
                "asye_stage": maker.pick(("First six weeks", "Six weeks to six months", "Six to twelve months")),
                "session_date": month, "sessions_reviewed": maker.random.randint(1, 3),
                "wellbeing_discussed": maker.random.random() < 0.7, "overall_grade": maker.grade(),
                "strengths": maker.pick(text.STRENGTHS), "areas_for_development": maker.pick(text.WORRIES),
                "edi_evaluation": maker.pick(text.EDI),
                "feedback_given_on": _sometimes(maker.random, 0.8, month + dt.timedelta(days=maker.random.randint(3, 9))),
            }
            values.update({check: maker.random.choices(("Yes", "Partly", "No"), (6, 3, 1))[0] for check in ASYE_CHECKS})
            values.update(strengths_and_worries(maker, values))
            actions = [] if values["overall_grade"] in GRADES[:2] else maker.actions(values["supervisor"], 1)
            maker.drop(f"ASYE supervision dip sample - {sampler.name} - {asye.name} - {number + 1}.docx",  # one file each
                       fill_docx(issued, spec, values, {"actions": actions}))


def worker_survey(maker) -> None:
    """The practitioners' forum's quarterly survey of workers about QA and learning (§11.2)."""
    from .templates.docx_fill import fill_docx

    author = (maker.people("psw") or maker.roster)[0].name
    spec, issued = maker.issued("staff_feedback", author)
    respondents = maker.random.randint(38, 60)
    values = {
        "quarter": maker.quarter.label, "completed_by": author, "completed_on": maker.day(), "source": "Quarterly QA survey",
        "respondents": respondents, "involved_in_qa": int(respondents * maker.random.uniform(0.45, 0.8)),
        "topics": ["Quality assurance", "Training and learning"], "working_well": maker.lines(text.SUMMARY_WELL),
        "worried_about": maker.lines(text.SUMMARY_WORRIED), "needs_to_happen": maker.lines(text.SUMMARY_ACTIONS),
        "learning_requests": "More chances to take part in collaborative case reviews as a learning experience.",
        "edi_evaluation": "Staff asked for training on working with families whose first language is not English.",
    }
    values.update(feedback(maker, values))
    maker.drop("Quarterly survey of workers.docx", fill_docx(issued, spec, values))
