"""The demo's people side: a caseload extract, next quarter's CCR and dip samples drawn from it with `qa sample`,
the CCRs issued from the sample, and this quarter's reminders written by `qa remind` as .eml files (not sent)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from .admin import example_roster, write_roster
from .config import load_config
from .issue import issue_from_sample
from .quarter import Quarter
from .remind import remind
from .roles import Role, fold
from .sample_frame import take_sample
from .spec import Catalogue
from .store import Store, bind
from .workspace import Workspace

LEVELS_BY_TEAM = {"Assessment": ("Child in need", "Child protection"), "Child protection": ("Child protection",),
                  "Children we look after": ("Child we look after",), "Care leavers": ("Care leaver",),
                  "Early help": ("Early help",)}
FIRST = ("Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Jack", "Zainab", "Kacper", "Freya", "Tyler")
LAST = ("Hughes", "Kowalski", "Ahmed", "Taylor", "Byrne", "Okafor", "Walsh", "Nguyen", "Davies", "Murphy")


def people_demo(workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter, on: dt.date) -> list[str]:
    """Draw and issue next quarter's samples and write this quarter's reminders as on *on*; lines saying where they are."""
    roster = example_roster()
    write_roster(workspace.roster_path, roster, {p.name: f"{p.name.lower().replace(' ', '.').replace(chr(39), '')}"
                                                         f"@example.org" for p in roster})
    extract = _caseload(workspace, catalogue, store, roster)
    config = load_config(workspace.root).with_today(on, "the demo's simulated date")
    following = quarter.next()
    psw = next(p.name for p in roster if p.role is Role.PSW)
    ccr = take_sample(workspace, catalogue, store, config, "ccr", following, extract=extract, seed=2023, reviewer=psw)
    issued = issue_from_sample(catalogue, store, workspace, ccr.workbook, config)
    dip = take_sample(workspace, catalogue, store, config, "dip_sample", following, extract=extract, seed=2023)
    reminders = remind(workspace, catalogue, store, quarter, config, send=False)
    return [f"CCR sample for {following.label} (qa sample ccr): {ccr.workbook}; {len(issued)} CCRs issued from it to {psw}",
            f"Dip samples for {following.label}, 10 children per manager (qa sample dip_sample): {dip.workbook}",
            f"Reminders for {quarter.label} as on {on:%d/%m/%Y} (qa remind, written not sent): {reminders.folder}"]


def _caseload(workspace: Workspace, catalogue: Catalogue, store: Store, roster) -> Path:
    """admin/caseload.csv: every child the demo's returns name, and more, as a case-management export; plus
    admin/bordering-good.csv listing two children last graded Requires improvement."""
    chooser = random.Random(11)
    rows: dict[str, list[str]] = {}
    managers = {p.team: p.name for p in roster if p.role is Role.TEAM_MANAGER}
    workers: dict[str, list[str]] = {}
    for person in roster:
        if person.role is Role.SOCIAL_WORKER:
            workers.setdefault(person.team, []).append(person.name)
    low = []
    for submission in bind(store.submissions(form="ccr"), catalogue):
        child, team = str(submission.answer("child_id")), str(submission.answer("team") or "")
        if team in LEVELS_BY_TEAM and fold(child) not in rows:
            rows[fold(child)] = [child, team, str(submission.answer("level_of_need")), str(submission.answer("social_worker")),
                                 managers.get(team, "")]
            if (submission.answer("moderated_grade") or submission.answer("overall_grade")) == "Requires improvement":
                low.append(child)
    number = 200000
    for team, levels in LEVELS_BY_TEAM.items():
        for n in range(36):
            rows[f"c{number}"] = [f"C{number}", team, levels[n % len(levels)], workers[team][n % len(workers[team])],
                                  managers.get(team, "")]
            number += 1
    path = workspace.roster_path.parent / "caseload.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Child ID", "Child name", "Team", "Level of need", "Allocated worker", "Team manager", "Open date"])
        for child, team, level, worker, manager in sorted(rows.values()):
            name = f"{chooser.choice(FIRST)} {chooser.choice(LAST)}"
            writer.writerow([child, name, team, level, worker, manager, f"{chooser.randint(1, 28):02d}/0{chooser.randint(1, 9)}/2022"])
    with open(path.with_name("bordering-good.csv"), "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Child ID"], *([child] for child in sorted(low)[:2])])
    return path
