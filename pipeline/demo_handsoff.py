"""The demo's hands-off extras: the admin's performance data for the year so far, and the PSW's annual report."""

from __future__ import annotations

import datetime as dt

from .performance import Reading, performance_path, write_performance
from .workspace import Workspace

# What each Head of Service writes under 'Quality assurance activity undertaken in the period'.
HOS_ACTIVITY = (
    "Chaired legal gateway and permanence panels\nReviewed 12 case decisions on file\nSupervised the team managers monthly",
    "Chaired two children in care reviews of concern\nDip-sampled 10 children's records\nObserved a team manager's supervision",
    "Reviewed every step-down from child protection to child in need\nChaired the early help panel\n"
    "Audited supervision for two team managers",
    "Chaired the safeguarding unit's quarterly practice meeting\nReviewed 8 conference reports before conference",
)

# Monthly figures April–December 2022 as a council's performance team would send them.
_INDICATORS = [
    ("Children visited within timescale", 90, True, "%", "Quality of visits / voice of the child",
     [91, 92, 90, 89, 91, 90, 87, 86, 88]),
    ("Assessments completed within 45 working days", 85, True, "%", "Assessment",
     [80, 82, 84, 86, 87, 88, 89, 90, 91]),
    ("Average caseload per social worker", 18, False, "children", "",
     [19.5, 19, 18.5, 18, 17.6, 17.2, 17.5, 17.9, 18.4]),
    ("Child protection plans reviewed within timescale", 100, True, "%", "Child protection planning",
     [100, 100, 98, 100, 100, 100, 100, 100, 96]),
    ("Supervision held within timescale", 95, True, "%", "Management oversight and supervision",
     [96, 97, 95, 96, 95, 96, 95, 88, 85]),
]


def write_demo_performance(workspace: Workspace) -> None:
    """admin/performance.xlsx with five indicators, April–December 2022 (never over an admin's file)."""
    path = performance_path(workspace.root)
    if path.exists():
        return
    months = [dt.date(2022 + (4 + n - 1) // 12, (4 + n - 1) % 12 + 1, 1) for n in range(9)]
    readings = [Reading(name, month, target, value, higher, unit, area)
                for name, target, higher, unit, area, values in _INDICATORS for month, value in zip(months, values)]
    write_performance(path, sorted(readings, key=lambda r: (r.month, r.indicator)))


def demo_annual_report(workspace: Workspace, catalogue, store) -> list:
    """The PSW's annual report for 2022-23 as it stands on the current quarter's report date (Q1–Q3 ended)."""
    from .admin import read_plan
    from .config import load_config
    from .quarter import Quarter
    from .report.annual_publish import build_annual_report
    from .schedule import report_date

    quarter = Quarter.from_label("2022-23-Q3")
    day = report_date(read_plan(workspace.plan_path), quarter, load_config(workspace.root).report_days_before_dlt)
    return [build_annual_report(workspace, catalogue, store, "2022-23", today=day or quarter.end).report]
