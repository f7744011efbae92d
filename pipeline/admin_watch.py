"""admin/ as the watcher's schedule sees it: re-read when a file there changes, a bad row left out and reported."""

from __future__ import annotations

import logging
from pathlib import Path

from .admin import Person, PlanEntry, RowProblems, load_targets, read_plan, read_roster
from .errors import PipelineError
from .workspace import Workspace, is_ignored

log = logging.getLogger("pipeline.schedule")

ROWS_LEFT_OUT = "This row is left out; the file's other rows are used."
FILE_NOT_USED = "The file is not used; the last copy that read cleanly is."
PERFORMANCE_NOT_USED = "The report shows no performance figures until it is fixed."
TARGETS_NOT_USED = "The targets are not used: no figures until it is fixed."


class Admin:
    """admin/ as last read: the roster and plan, and the problems found in them (kept across a bad edit)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.roster: list[Person] | None = None
        self.plan: list[PlanEntry] = []
        self.problems: dict[str, tuple[str, str]] = {}  # 'roster' → (what the watcher did, the problems)
        self._seen: dict[Path, float | None] = {}

    def files(self) -> list[Path]:
        folder = self.workspace.root / "admin"
        return sorted(p for p in folder.glob("*") if not is_ignored(p.name)) if folder.is_dir() else []  # not '~$…' lock files

    def changed(self) -> bool:
        """Whether a file in admin/ was added, changed or removed since the last look."""
        seen = {}
        for path in self.files():
            try:
                seen[path] = path.stat().st_mtime_ns
            except OSError:
                seen[path] = None
        changed, self._seen = seen != self._seen, seen
        return changed

    def reload(self) -> None:
        """Read the roster, plan and targets. A bad row is left out and reported, the good rows used; a file
        that cannot be read at all is reported and its last good copy kept."""
        from .performance import performance_path, read_performance

        performance = performance_path(self.workspace.root)  # optional: read only to report its problems early
        for label, path, read in (("roster", self.workspace.roster_path, read_roster),
                                  ("plan", self.workspace.plan_path, read_plan),
                                  ("targets", self.workspace.targets_path, load_targets),
                                  ("performance", performance, read_performance)):
            if label == "performance" and not path.exists():
                self.problems.pop(label, None)
                continue
            try:
                value = read(path)
            except RowProblems as err:  # some rows bad: the good ones are used
                value = err.good
                if self.problems.get(label) != (ROWS_LEFT_OUT, str(err)):
                    rows = len(str(err).splitlines())
                    log.error("admin/%s: %d problem(s); the bad rows are left out and the other %d row(s) used: %s",
                              path.name, rows, len(value), err)
                self.problems[label] = (ROWS_LEFT_OUT, str(err))
            except (PipelineError, OSError) as err:  # OSError: open in a program that locks it, or a share gone
                kept = {"targets": TARGETS_NOT_USED, "performance": PERFORMANCE_NOT_USED}.get(label, FILE_NOT_USED)
                if self.problems.get(label) != (kept, str(err)):
                    said = "; carrying on with the last good copy" if label in ("roster", "plan") else ""
                    log.error("admin/%s cannot be used%s: %s", path.name, said, err)
                self.problems[label] = (kept, str(err))
                continue
            else:
                if label in self.problems:
                    log.info("admin/%s reads cleanly again", path.name)
                self.problems.pop(label, None)
            if label == "roster":
                self.roster = value
            elif label == "plan":
                self.plan = value
        log.info("read admin/: %d people on the roster, %d rows in the plan",
                 len(self.roster or []), len(self.plan))

    def targets_usable(self) -> bool:
        return "targets" not in self.problems

    def problem_lines(self) -> list[str]:
        return [line for _, text in self.problems.values() for line in text.splitlines()]

    def problem_rows(self) -> list[tuple[str, str]]:
        """(the problem, what the watcher did about it), one per line of each problem."""
        return [(line, done) for done, text in self.problems.values() for line in text.splitlines()]
