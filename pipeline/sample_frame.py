"""`qa sample`: draw a sample from the caseload extract, write it as a workbook to edit, and its frame beside it.

The workbook's 'Sample' sheet lists one child per row for the admin to check and edit (and, for a
CCR, the lead reviewer to choose); its 'Read me' sheet says how it was drawn and how to issue the
forms. The sampling frame (``<sample>-frame.json``) keeps everything needed to show how the sample
was drawn: the extract's SHA-256, the rows left out and why, each child excluded and why, the strata
counts, the bordering-Good share, the seed and the date. Child names are in neither.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from .admin import Person, read_roster
from .admin_xlsx import GUIDE_SHEET, Column, read_sheet, write_sheet
from .caseload import Caseload, read_grid, cell_text, read_caseload
from .config import Config
from .errors import WorkspaceError, message
from .quarter import Quarter
from .roles import fold
from .sample import Drawn, draw_ccr, draw_dip, history, recent
from .spec import Catalogue
from .store import Store
from .targets import load_targets
from .workspace import Workspace

SAMPLE_SHEET = "Sample"
BORDERING_LIST = "bordering-good"  # admin/bordering-good.xlsx or .csv: child IDs the admin judged bordering Good
CCR_HEADINGS = ("Child ID", "Team", "Level of need", "Social worker", "Team manager", "Open date", "Why chosen",
                "Lead reviewer")
DIP_HEADINGS = ("Auditor", "Child ID", "Team", "Level of need", "Social worker", "Team manager", "Open date")
FORMS = {"ccr": "CCR", "dip_sample": "Dip sample"}


@dataclass(frozen=True)
class SampleFiles:
    """What `qa sample` wrote and drew."""

    workbook: Path
    frame: Path
    drawn: Drawn
    caseload: Caseload
    seed: int


def find_extract(workspace: Workspace, extract: Path | None) -> Path:
    """The extract given, else admin/caseload.xlsx or admin/caseload.csv; WorkspaceError saying how to give it."""
    if extract is not None:
        return extract
    for name in ("caseload.xlsx", "caseload.csv"):
        if (workspace.roster_path.parent / name).is_file():
            return workspace.roster_path.parent / name
    raise WorkspaceError(message("caseload_missing", file="admin/caseload.xlsx (or .csv)"))


def admin_bordering(workspace: Workspace, heading: str) -> tuple[set[str], str | None]:
    """Child IDs (folded) in admin/bordering-good.xlsx or .csv, and which file (None when there is none)."""
    for suffix in (".xlsx", ".csv"):
        path = workspace.roster_path.parent / f"{BORDERING_LIST}{suffix}"
        if path.is_file():
            grid = [row for _, row in read_grid(path, path.read_bytes()) if any(cell_text(v) for v in row)]
            if not grid:
                return set(), f"admin/{path.name}"
            header = [fold(cell_text(value)) for value in grid[0]]
            column = header.index(fold(heading)) if fold(heading) in header else 0
            return {fold(cell_text(row[column])) for row in grid[1:] if column < len(row) and cell_text(row[column])}, f"admin/{path.name}"
    return set(), None


def take_sample(workspace: Workspace, catalogue: Catalogue, store: Store, config: Config, form: str, quarter: Quarter,
                *, extract: Path | None = None, size: int | None = None, seed: int | None = None,
                reviewer: str | None = None) -> SampleFiles:
    """Draw the *form* sample for *quarter* and write the workbook and its frame into outbox/samples/<quarter>/."""
    if form not in FORMS:
        raise WorkspaceError(message("sample_form", form=form))
    if size is not None and size < 1:
        raise WorkspaceError(message("sample_size"))
    path = find_extract(workspace, extract)
    spec = catalogue.find("ccr")
    levels = spec.role_field("level_of_need").options
    caseload = read_caseload(path, config, levels, catalogue.settings.is_child_id)
    roster = read_roster(workspace.roster_path)
    targets = load_targets(workspace.targets_path)
    seed = seed if seed is not None else secrets.randbelow(1_000_000)
    rng = random.Random(seed)
    drawn_on = config.today()
    seen, bordering = history(store, catalogue)
    seen = recent(seen, drawn_on, config.sample_exclude_months)
    listed, list_file = admin_bordering(workspace, config.caseload_child_id_column)
    if form == "ccr":
        size = size or targets.ccr_children_per_quarter
        drawn = draw_ccr(caseload, seen, bordering | listed, size, config.sample_bordering_good_percent,
                         config.sample_quotas, rng)
        if reviewer:
            from .issue import roster_name

            reviewer = roster_name(reviewer, roster)
    else:
        size = size or targets.dip_sample_children_per_auditor
        auditors = sorted((p for p in roster if p.role in targets.dip_sample_roles),
                          key=lambda p: (list(targets.dip_sample_roles)[::-1].index(p.role), fold(p.name)))
        if not auditors:
            raise WorkspaceError(message("sample_no_auditors", file="admin/roster.xlsx",
                                         roles=", ".join(str(r) for r in targets.dip_sample_roles)))
        drawn = draw_dip(caseload, seen, auditors, roster, size, rng)
    if not drawn.picks:
        reason = (f"all {len(caseload.children)} usable rows were left out (see above)." if caseload.children
                  else "no row could be used (see above).")
        raise WorkspaceError("\n".join([*caseload.problems, message("sample_no_children", file=path.name,
                                                                     quarter=quarter.label, reason=reason)]))
    folder = workspace.outbox / "samples" / quarter.label
    folder.mkdir(parents=True, exist_ok=True)
    workbook, frame_path = _free_names(folder, f"{form}-sample-{quarter.label}")
    frame = sampling_frame(form, quarter, drawn_on, seed, size, caseload, drawn, config, list_file)
    with open(frame_path, "x", encoding="utf-8") as handle:
        json.dump(frame, handle, indent=2, ensure_ascii=False)
    _write_workbook(workbook, form, quarter, drawn, frame, frame_path.name, reviewer, roster)
    return SampleFiles(workbook, frame_path, drawn, caseload, seed)


def _free_names(folder: Path, stem: str) -> tuple[Path, Path]:
    """A workbook name and its frame's name, neither of which exists (nothing is ever overwritten)."""
    number = 1
    while True:
        name = stem if number == 1 else f"{stem} ({number})"
        workbook, frame = folder / f"{name}.xlsx", folder / f"{name}-frame.json"
        if not workbook.exists() and not frame.exists():
            return workbook, frame
        number += 1


def sampling_frame(form: str, quarter: Quarter, drawn_on: dt.date, seed: int, size: int, caseload: Caseload,
                   drawn: Drawn, config: Config, list_file: str | None) -> dict:
    """Everything needed to show how the sample was drawn (no child names)."""
    return {
        "form": form, "quarter": quarter.label, "drawn_on": drawn_on.isoformat(), "seed": seed,
        "size_asked": size, "size_drawn": len(drawn.picks),
        "extract": {"file": caseload.path.name, "sha256": caseload.sha256, "rows": caseload.rows,
                    "usable": len(caseload.children), "rows_left_out": caseload.problems},
        "exclude_months": config.sample_exclude_months,
        "excluded": [asdict(e) for e in drawn.exclusions],
        "bordering_good": {"percent": config.sample_bordering_good_percent, "at_most": drawn.bordering_cap,
                           "candidates": drawn.bordering_candidates, "admin_list": list_file,
                           "taken": [p.child.child_id for p in drawn.picks if p.reason != "Cross-sample"]},
        "quotas": config.sample_quotas,
        "strata": [asdict(s) for s in drawn.strata],
        "sample": [{"child_id": p.child.child_id, "team": p.child.team, "level_of_need": p.child.level_of_need,
                    "reason": p.reason, **({"auditor": p.auditor} if p.auditor else {})} for p in drawn.picks],
        "notes": drawn.notes,
    }


def _write_workbook(path: Path, form: str, quarter: Quarter, drawn: Drawn, frame: dict, frame_name: str,
                    reviewer: str | None, roster: list[Person]) -> None:
    names = tuple(person.name for person in roster)
    if form == "ccr":
        columns = [Column("Child ID", 14), Column("Team", 26), Column("Level of need", 20), Column("Social worker", 22),
                   Column("Team manager", 22), Column("Open date", 12, "date"), Column("Why chosen", 34, "long"),
                   Column("Lead reviewer", 24, "choice", names, "Who leads the review, as named on the roster.")]
        rows = [[p.child.child_id, p.child.team, p.child.level_of_need, p.child.worker, p.child.manager,
                 p.child.open_date, p.reason, reviewer or ""] for p in drawn.picks]
    else:
        columns = [Column("Auditor", 24, "choice", names, "The manager who samples the child."), Column("Child ID", 14),
                   Column("Team", 26), Column("Level of need", 20), Column("Social worker", 22),
                   Column("Team manager", 22), Column("Open date", 12, "date")]
        rows = [[p.auditor, p.child.child_id, p.child.team, p.child.level_of_need, p.child.worker, p.child.manager,
                 p.child.open_date] for p in drawn.picks]
    extract = frame["extract"]
    bordering = frame["bordering_good"]
    guide = [
        f"{FORMS[form]} sample for {quarter.label}",
        f"Form: {form}",
        f"Quarter: {quarter.label}",
        f"Drawn on: {dt.date.fromisoformat(frame['drawn_on']):%d/%m/%Y}",
        f"Seed: {frame['seed']} (the same extract, store and seed give the same sample: qa sample {form} --quarter "
        f"{quarter.label} --seed {frame['seed']})",
        f"Caseload extract: {extract['file']}, SHA-256 {extract['sha256']}; {extract['rows']} rows, "
        f"{len(extract['rows_left_out'])} left out as unusable.",
        f"Left out as reviewed, dip-sampled or issued a CCR in the {frame['exclude_months']} months before: "
        f"{len(frame['excluded'])} children.",
    ]
    if form == "ccr":
        guide.append(f"Bordering Good: {len(bordering['taken'])} taken of {bordering['candidates']} children whose last "
                     f"review was Requires improvement or Inadequate but bordering Good (at most {bordering['percent']}% "
                     f"of the sample, {bordering['at_most']} children).")
    guide += [f"Level of need · team: {s['level_of_need']} · {s['team']}: {s['eligible']} eligible, {s['drawn']} drawn."
              for s in frame["strata"]]
    guide += [*frame["notes"],
              "To use it: check the children; delete a row to drop a child, or add a row to add one"
              + ("; choose the Lead reviewer for each child" if form == "ccr" else "")
              + f". Then run: qa issue --from-sample \"{path.name}\" to issue one pre-filled form "
              + ("per child." if form == "ccr" else "per auditor, with their children listed."),
              f"The sampling frame (the exclusions with their reasons, the strata, the rows left out) is in "
              f"{frame_name}, beside this workbook: keep both to show how the sample was drawn."]
    write_sheet(path, SAMPLE_SHEET, columns, rows, guide)


@dataclass(frozen=True)
class SampleSheet:
    """A sample workbook as read back: its form and quarter (from 'Read me') and rows by heading."""

    form: str | None
    quarter: str | None
    rows: list[tuple[int, dict[str, str]]]


def read_sample(path: Path) -> SampleSheet:
    """The sample workbook at *path* (as qa sample wrote it, or as the admin edited it); WorkspaceError if unreadable."""
    try:
        table = read_sheet(path, SAMPLE_SHEET)
        guide = read_sheet(path, GUIDE_SHEET) if table.name == SAMPLE_SHEET else None
    except ValueError as err:
        raise WorkspaceError(message("from_sample_unreadable", file=path.name, detail=err)) from err
    facts = {}
    for _, row in guide.rows if guide and guide.name == GUIDE_SHEET else ():
        text = cell_text(row[0]) if row else ""
        if ": " in text:
            key, value = text.split(": ", 1)
            facts.setdefault(key, value)
    found = [(number, row) for number, row in table.rows if any(cell_text(v) for v in row)]
    if not found:
        return SampleSheet(facts.get("Form"), facts.get("Quarter"), [])
    header = [cell_text(value) for value in found[0][1]]
    rows = []
    for number, row in found[1:]:
        values = {}
        for index, heading in enumerate(header):
            if heading and index < len(row):
                value = row[index]
                values[heading] = value.strftime("%d/%m/%Y") if isinstance(value, (dt.date, dt.datetime)) else cell_text(value)
        rows.append((number, values))
    return SampleSheet(facts.get("Form"), facts.get("Quarter"), rows)
