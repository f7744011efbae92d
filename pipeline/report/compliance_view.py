"""The compliance result (``pipeline.compliance.Compliance``) as the report's RAG section."""

from __future__ import annotations

from collections.abc import Callable

from ..spec import Catalogue
from .activity import Activity, ActivityLine, LateRow, PersonLine, PlanRow, rag_colour, unreturned_form

RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2}


def from_compliance(compliance, catalogue: Catalogue, clean: Callable[[object], str]) -> Activity:
    """Activity lines, the people who still owe activity (worst first) and the forms not returned."""
    lines = [
        ActivityLine(
            activity=line.activity,
            section=line.section,
            period=f"{line.period} ({line.span})",
            unit=line.unit,
            minimum=line.minimum,
            received=line.received,
            counted=line.counted,
            rejected=line.rejected,
            outstanding=line.outstanding,
            rag=line.rag,
            colour=rag_colour(line.rag),
            note=clean(line.explanation),
        )
        for line in compliance.activities
    ]
    owing = sorted(compliance.outstanding_people(), key=lambda p: (RAG_ORDER.get(p.rag, 3), p.activity, p.person.casefold()))
    people = [
        PersonLine(
            name=clean(p.person),
            role=clean(p.role),
            team=clean(p.team),
            activity=p.activity,
            subject=clean(p.subject or ""),
            due=p.due.isoformat() if hasattr(p.due, "isoformat") else str(p.due),
            required=p.required,
            done=p.done,
            outstanding=p.outstanding,
            rag=p.rag,
            colour=rag_colour(p.rag),
        )
        for p in owing
    ]
    spread = compliance.ccr_spread
    gaps = [f"No collaborative case review yet at level of need: {level}." for level in spread.missing_levels]
    gaps += [f"No collaborative case review yet in team: {clean(team)}." for team in spread.missing_teams]
    activities, owing_rag = compliance.activity_rag, compliance.people_rag
    return Activity(
        rated=True,
        note=f"Annual and six-monthly minimums are judged pro rata over {compliance.year_to_date}.",
        lines=lines,
        people=people,
        unreturned=[unreturned_form(issued, catalogue, clean) for issued in compliance.unreturned],
        ccr_gaps=gaps,
        green=activities.green,
        amber=activities.amber,
        red=activities.red,
        people_amber=owing_rag.amber,
        people_red=owing_rag.red,
    )


def from_assessment(assessment, catalogue: Catalogue, clean: Callable[[object], str]) -> Activity:
    """from_compliance, with the method note, the plan against what happened and the quarter's late returns."""
    activity = from_compliance(assessment.compliance, catalogue, clean)
    activity.method = [activity.note, *assessment.method]
    activity.plan = [
        PlanRow(
            month=line.month,
            week_beginning=line.week_beginning.isoformat() if line.week_beginning else "",
            activity=line.activity,
            theme=clean(line.theme),
            who=clean(line.who),
            status=line.status,
            theme_status={True: "As planned", False: "Not as planned", None: ""}[line.theme_as_planned],
            rag=line.rag,
            colour=rag_colour(line.rag),
            note=clean(line.explanation),
        )
        for line in assessment.plan
    ]
    rags = [row.rag for row in activity.plan]
    activity.plan_green, activity.plan_amber, activity.plan_red = (rags.count(r) for r in ("Green", "Amber", "Red"))
    activity.plan_problems = [clean(problem) for problem in assessment.plan_problems]
    due = assessment.deadline
    activity.deadline = clean(due.explanation)
    activity.due = due.due.isoformat() if due.due else ""
    titles = {spec.id: spec.title for spec in catalogue}
    activity.late = [LateRow(late.ref, titles.get(late.form, late.form), clean(late.author), late.received.isoformat())
                     for late in due.late]
    return activity
