"""Where a workspace keeps its inbox, outbox, archive, rejected files, store, specs and admin inputs."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import NotAWorkspaceError, message

# Office lock/owner files and editors' temp files: never forms, never rejected.
IGNORED_PREFIXES = ("~$", "~WRL", ".~lock.", "._")
IGNORED_SUFFIXES = (".tmp", ".temp", ".part", ".crdownload", "#", ".swp", ".DS_Store")
IGNORED_NAMES = {"Thumbs.db", "desktop.ini", ".DS_Store"}

# The standard form specs, package data of the installed pipeline (form_templates/ in the repository).
# The pipeline is installed as files (a wheel or an editable install), so the folder is a real path.
BUILTIN_SPECS = Path(os.fspath(resources.files("pipeline.form_templates")))

# What marks a folder as a workspace: this file, written by `qa init`, `qa demo` and every command that
# works in a workspace. Workspaces made before it existed are known by their inbox/, archive/ and
# rejected/ folders, which every earlier version made together.
MARKER = ".qa-workspace"
LEGACY_FOLDERS = ("inbox", "archive", "rejected")
_MARKER_TEXT = (
    "This folder is a QA pipeline workspace (inbox, archive, rejected files, outbox, the store).\n"
    "The qa command looks for this file to know it is in the right place: keep it.\n"
)


def is_ignored(name: str) -> bool:
    """Whether a file name is an Office lock or temp file (or system clutter) to leave alone."""
    return (
        name in IGNORED_NAMES
        or name.startswith(IGNORED_PREFIXES)
        or name.endswith(IGNORED_SUFFIXES)
        or name.startswith(".")
    )


@dataclass(frozen=True)
class Workspace:
    """A folder holding one service's QA work."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike | None) -> Workspace:
        """The workspace at *root* (default: $QA_WORKSPACE or the current folder)."""
        return cls(Path(root or os.environ.get("QA_WORKSPACE") or ".").resolve())

    @property
    def is_workspace(self) -> bool:
        """Whether the folder is a workspace: it has the marker file, or the folders every version made."""
        if (self.root / MARKER).is_file():
            return True
        return all((self.root / name).is_dir() for name in LEGACY_FOLDERS)

    def require(self, looked_in: str | None = None) -> Workspace:
        """This workspace, or NotAWorkspaceError saying where we looked, why there, and how to point elsewhere."""
        if not self.is_workspace:
            why = ("not_workspace_missing" if not self.root.exists() else
                   "not_workspace_file" if not self.root.is_dir() else "not_workspace_unmarked")
            raise NotAWorkspaceError(message("not_workspace", root=self.root, why=message(why, marker=MARKER),
                                             source=looked_in or message("looked_in_current")))
        return self

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def rejected(self) -> Path:
        return self.root / "rejected"

    @property
    def processing(self) -> Path:
        """Files claimed by an ingest in progress; recovered on the next start."""
        return self.inbox / ".processing"

    @property
    def specs(self) -> Path:
        """Form specs: the workspace's own if it has any, else the ones shipped with the pipeline."""
        own = self.root / "form_templates"
        if own.is_dir() and any(own.glob("*.y*ml")):
            return own
        return BUILTIN_SPECS

    @property
    def store_path(self) -> Path:
        return self.root / "qa.sqlite3"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / "ingest.log"

    @property
    def roster_path(self) -> Path:
        return self.root / "admin" / "roster.xlsx"

    @property
    def plan_path(self) -> Path:
        return self.root / "admin" / "qa-plan.xlsx"

    @property
    def targets_path(self) -> Path:
        return self.root / "admin" / "targets.yaml"

    def ensure(self) -> Workspace:
        """Make the folder a workspace: the folders it needs and its marker file (never touching files already there)."""
        for folder in (self.inbox, self.outbox, self.archive, self.rejected, self.processing, self.log_path.parent):
            folder.mkdir(parents=True, exist_ok=True)
        marker = self.root / MARKER
        if not marker.exists():
            marker.write_text(_MARKER_TEXT, encoding="utf-8")
        return self

    def copy_builtin_specs(self) -> None:
        """Give a new workspace its own editable copy of the standard form specs."""
        target = self.root / "form_templates"
        target.mkdir(parents=True, exist_ok=True)
        for spec in BUILTIN_SPECS.glob("*.yaml"):
            if not (target / spec.name).exists():
                shutil.copy2(spec, target / spec.name)


NAME_MAX = 255  # bytes in one file name on the file systems we meet (ext4, NTFS via SMB, APFS)


def fit_name(name: str, reserve: int = 0) -> str:
    """*name*, shortened if need be (keeping its extension), so it and *reserve* more bytes fit in a file name."""
    budget = NAME_MAX - reserve
    if len(name.encode("utf-8")) <= budget:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)]
    while stem and len((stem + "…" + suffix).encode("utf-8")) > budget:
        stem = stem[:-1]
    return stem + "…" + suffix


def numbered(name: str, counter: int, reserve: int = 0) -> str:
    """'x.docx' → 'x (2).docx', still fitting in a file name."""
    tag = f" ({counter})"
    short = fit_name(name, reserve + len(tag))
    return f"{Path(short).stem}{tag}{Path(short).suffix}"


def unique_path(folder: Path, name: str, reserve: int = 0) -> Path:
    """A path in *folder* for *name* that does not overwrite anything: 'x.docx', 'x (2).docx', …"""
    candidate = folder / fit_name(name, reserve)
    counter = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / numbered(name, counter, reserve)
        counter += 1
    return candidate
