"""Benchmark: render the DLT report for a quarter of 1,000 submissions (target ≤ 5 s) and a year of 4,000 (≤ 15 s).

The store is filled directly (the report is being measured, not ingest) with a realistic mix of
returns: CCRs with actions, dip samples and thematic audits of 10–15 children, observations,
supervision audits, summaries and feedback. "A year" is the four quarterly reports of a financial
year rendered from a store holding all 4,000 returns (each report reads the whole store: actions
are carried across quarters). Run from the repository root:

    python benchmarks/report_speed.py [--quarter-size 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.admin import write_examples  # noqa: E402
from pipeline.quarter import Quarter  # noqa: E402
from pipeline.report import build_report  # noqa: E402
from pipeline.spec import GRADES, Catalogue  # noqa: E402
from pipeline.store import Store  # noqa: E402
from pipeline.validate import Submission  # noqa: E402
from pipeline.workspace import BUILTIN_SPECS, Workspace  # noqa: E402

from _machine import machine  # noqa: E402 (benchmarks/ is on sys.path when a script runs)

TEAMS = ["Assessment", "Child protection", "Children we look after", "Care leavers", "Early help"]
LEVELS = ["Early help", "Child in need", "Child protection", "Child we look after", "Care leaver"]
PEOPLE = [f"Manager {n}" for n in range(40)]
SPECS = Catalogue.load(BUILTIN_SPECS)
TEXT = [
    "Direct work with the child was creative; their words are in the plan.",
    "Case recording is behind & the chronology needs <updating>.",
    "The safety plan is written in the family's words.\nThe network helped write it.",
    "Father has not been engaged in the assessment or the plan.",
]
DOMAINS = [
    "assessment",
    "planning",
    "multi_agency_review",
    "voice_of_child",
    "parents_carers_engagement",
    "management_oversight",
    "case_recording",
]
# Share of a quarter's returns per form (sums to 1).
MIX = {
    "ccr": 0.40,
    "dip_sample": 0.06,
    "thematic_audit": 0.02,
    "observation": 0.20,
    "supervision_audit": 0.15,
    "hos_summary": 0.04,
    "service_summary": 0.03,
    "child_family_feedback": 0.08,
    "staff_feedback": 0.02,
}


def fill(store: Store, quarter: Quarter, count: int, rng: random.Random) -> int:
    """Store *count* returns for *quarter*; return how many were stored."""
    stored = 0
    day = quarter.start + dt.timedelta(days=30)

    def save(form: str, values: dict, groups: dict | None = None, variant: str | None = None) -> None:
        nonlocal stored
        values = {
            "quarter": quarter.label,
            "completed_by": rng.choice(PEOPLE),
            "completed_on": day.isoformat(),
            "edi_evaluation": rng.choice(TEXT),
            **values,
        }
        tag = uuid.uuid4().hex
        store.save(
            Submission(form, variant, 1, values, groups or {}, spec=SPECS.get(form, variant)), file=f"{form}-{tag[:8]}.docx", sha256=tag, claim=tag, destination="archive"
        )
        stored += 1

    def actions(n: int) -> list[dict]:
        return [
            {
                "action": rng.choice(TEXT),
                "owner": rng.choice(PEOPLE),
                "due_date": (day + dt.timedelta(days=rng.randint(-20, 120))).isoformat(),
            }
            for _ in range(n)
        ]

    def children(n: int, graded: bool) -> list[dict]:
        rows = []
        for _ in range(n):
            row = {"child_id": f"C{rng.randint(10000, 99999)}", "team": rng.choice(TEAMS), "level_of_need": rng.choice(LEVELS)}
            row.update(
                {"grade": rng.choice(GRADES), "worries": rng.choice(TEXT), "strengths": rng.choice(TEXT)}
                if graded
                else {"compliant": rng.choice(["Yes", "Partly", "No"]), "finding": rng.choice(TEXT)}
            )
            if rng.random() < 0.3:
                row.update(actions(1)[0])
            rows.append(row)
        return rows

    plan = {form: max(1, round(share * count)) for form, share in MIX.items()}
    plan["ccr"] += count - sum(plan.values())
    for n in range(plan["ccr"]):
        values = {f"{d}_grade": rng.choice(GRADES) for d in DOMAINS}
        values.update(
            child_id=f"C{rng.randint(10000, 99999)}",
            child_name=f"Child Name{n}",
            team=rng.choice(TEAMS),
            level_of_need=rng.choice(LEVELS),
            reviewer=rng.choice(PEOPLE),
            overall_grade=rng.choice(GRADES),
            moderated_grade=rng.choice(GRADES) if rng.random() < 0.7 else None,
        )
        save("ccr", values, {"actions": actions(rng.randint(0, 3))})
    for _ in range(plan["dip_sample"]):
        save(
            "dip_sample",
            {"auditor": rng.choice(PEOPLE), "theme": "Networks and contingency planning"},
            {"children": children(10, graded=False)},
        )
    for _ in range(plan["thematic_audit"]):
        save("thematic_audit", {"auditor": rng.choice(PEOPLE), "theme": "Quality of visits"}, {"children": children(15, graded=True)})
    for _ in range(plan["observation"]):
        save(
            "observation",
            {
                "observer": rng.choice(PEOPLE),
                "practitioner": rng.choice(PEOPLE),
                "nature": rng.choice(["Meeting", "Visit"]),
                "level_of_need": rng.choice(LEVELS),
                "strengths": rng.choice(TEXT),
                "areas_for_development": rng.choice(TEXT),
            },
        )
    for _ in range(plan["supervision_audit"]):
        save(
            "supervision_audit",
            {
                "auditor": rng.choice(PEOPLE),
                "supervisee": rng.choice(PEOPLE),
                "team": rng.choice(TEAMS),
                "frequency_met": "Yes",
                "reflective": rng.choice(["Yes", "Partly", "No"]),
                "case_direction": "Partly",
                "overall_grade": rng.choice(GRADES),
                "strengths": rng.choice(TEXT),
                "areas_for_development": rng.choice(TEXT),
            },
            {"actions": actions(1)},
        )
    for n in range(plan["hos_summary"]):
        save(
            "hos_summary",
            {
                "service": TEAMS[n % len(TEAMS)],
                "working_well": "\n".join(TEXT[:2]),
                "worried_about": "\n".join(TEXT[2:]),
                "needs_to_happen": TEXT[0],
                "learning": TEXT[1],
            },
        )
    for n in range(plan["service_summary"]):
        save(
            "service_summary",
            {
                "area_of_service": ["Early help", "SEND", "Youth justice"][n % 3],
                "working_well": TEXT[0],
                "worried_about": TEXT[1],
                "needs_to_happen": TEXT[3],
            },
        )
    for _ in range(plan["child_family_feedback"]):
        save(
            "child_family_feedback",
            {
                "source": "Child or young person",
                "how_gathered": "Visit",
                "working_well": TEXT[0],
                "worried_about": TEXT[1],
                "response": TEXT[2],
                "participants": 1,
            },
        )
    for _ in range(plan["staff_feedback"]):
        save(
            "staff_feedback",
            {
                "source": "Practitioners' forum",
                "respondents": 30,
                "involved_in_qa": 20,
                "topics": ["Workload"],
                "working_well": TEXT[0],
                "worried_about": TEXT[1],
                "needs_to_happen": TEXT[2],
            },
        )
    return stored


def timed(workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter, repeat: int) -> list[float]:
    """Seconds for each of *repeat* full renders of *quarter*'s report (model, charts, Word, drafts, ledger)."""
    times = []
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="report-out-"))
        start = time.perf_counter()
        build_report(workspace, catalogue, store, quarter, out, today=quarter.end + dt.timedelta(days=20))
        times.append(time.perf_counter() - start)
        shutil.rmtree(out)
    return times




def main() -> None:
    """Build the stores, time the renders, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(2022)
    root = Path(tempfile.mkdtemp(prefix="report-bench-"))
    catalogue = Catalogue.load(BUILTIN_SPECS)
    year = [Quarter(2022, n) for n in (1, 2, 3, 4)]
    print(f"Report render benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    try:
        workspace = Workspace(root / "quarter").ensure()
        write_examples(workspace)  # the roster and targets every report is rated against
        with Store(workspace.store_path) as store:
            fill(store, year[1], args.quarter_size // 4, rng)  # a smaller previous quarter to compare with
            stored = fill(store, year[2], args.quarter_size, rng)
            first = timed(workspace, catalogue, store, year[2], 1)[0]  # includes writing the template once
            runs = timed(workspace, catalogue, store, year[2], args.repeat)
        print(
            f"  quarter: {stored:,} submissions in {year[2]} · first render {first:.2f} s · "
            f"median of {args.repeat} {statistics.median(runs):.2f} s (target ≤ 5 s)"
        )
        workspace = Workspace(root / "year").ensure()
        write_examples(workspace)
        with Store(workspace.store_path) as store:
            total = sum(fill(store, q, args.quarter_size, rng) for q in year)
            timed(workspace, catalogue, store, year[0], 1)  # template written once, as in use
            per_quarter = [timed(workspace, catalogue, store, q, 1)[0] for q in year]
        print(
            f"  year: {total:,} submissions · four quarterly reports {sum(per_quarter):.2f} s "
            f"({', '.join(f'{q.label} {t:.2f} s' for q, t in zip(year, per_quarter))}) (target ≤ 15 s)"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
