"""The workspace's own validation settings (qa.yaml at its root): child-ID format and date grace."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import config
from ..errors import WorkspaceError, message

SETTINGS_FILE = "qa.yaml"
# 3 to 20 letters, digits, '/' or '-', starting with a letter or digit, with at least one digit:
# every case-management system numbers its children, and a word alone ('Jayden') is a name.
DEFAULT_CHILD_ID_PATTERN = r"(?=.*\d)[A-Za-z0-9][A-Za-z0-9/-]{2,19}"

EXAMPLE = f"""\
# Settings for this QA workspace. Every setting is optional: delete a line to use its default.

# The form of a child's ID in your case-management system, as a regular expression that must match
# the whole ID. An ID typed on any form (a field marked 'identifying: child_id') that does not match
# is rejected, so a child's name typed in the ID box never gets into a report.
# The default: 3 to 20 letters, digits, '/' or '-', at least one of them a digit (C123456, 2023/0456).
child_id_pattern: '{DEFAULT_CHILD_ID_PATTERN}'

# An ID in that form, shown in the messages that explain a rejected ID.
child_id_example: C123456

# Days after the end of a quarter on which a form for that quarter may still be completed
# ('within_quarter: completion' dates). Dates of the activity itself must fall inside the quarter.
completion_grace_days: 31

# The fewest moderated grades the report's agreement figures (kappa, AC2) may rest on without a
# warning that they are too uncertain to act on alone.
moderation_min_pairs: 10
"""


@dataclass(frozen=True)
class WorkspaceSettings:
    """How this workspace's case system writes child IDs, and how late a form may be completed."""

    child_id_pattern: str = DEFAULT_CHILD_ID_PATTERN
    child_id_example: str = "C123456"
    completion_grace_days: int = 31
    moderation_min_pairs: int = 10  # below this many moderated grades, agreement figures carry a warning

    def is_child_id(self, text: str) -> bool:
        """Whether *text* is in the form of this workspace's child IDs."""
        return re.fullmatch(self.child_id_pattern, text) is not None


def load_settings(path: Path) -> WorkspaceSettings:
    """The settings in *path* (defaults for any left out, or if there is no file); WorkspaceError if unusable."""
    if not path.is_file():
        return WorkspaceSettings()
    name = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise WorkspaceError(message("settings_yaml", file=name, detail=getattr(err, "problem", None) or err)) from err
    except (OSError, UnicodeDecodeError) as err:
        raise WorkspaceError(message("settings_yaml", file=name, detail=err)) from err
    if not isinstance(document, dict):
        raise WorkspaceError(message("settings_yaml", file=name, detail="expected 'setting: value' lines"))
    known = list(WorkspaceSettings.__dataclass_fields__)
    others = list(config.BY_NAME) + list(config.STORE_SETTINGS)  # the same file's settings for qa watch and the store
    lines = {key: line for key, line, _ in config.setting_lines(path)}
    where = lambda key: f"{name} line {lines[key]}" if key in lines else name  # noqa: E731
    problems = []
    for key in document:
        if key not in known and key not in others:
            close = difflib.get_close_matches(str(key), known + others, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else f" Known settings: {', '.join(known + others)}."
            problems.append(message("settings_unknown", file=where(key), setting=key, hint=hint))
    values = {key: document[key] for key in known if document.get(key) is not None}
    for key in ("child_id_pattern", "child_id_example"):
        if key not in values:
            continue
        if isinstance(values[key], bool) or not isinstance(values[key], (str, int)):
            problems.append(message("settings_text", file=where(key), setting=key, value=values.pop(key)))
        else:
            values[key] = str(values[key])  # an all-digit example reads as a number
    if "child_id_pattern" in values:
        try:
            re.compile(values["child_id_pattern"])
        except re.error as err:
            problems.append(message("settings_pattern", file=where("child_id_pattern"), value=values.pop("child_id_pattern"), detail=err))
    days = values.get("completion_grace_days", 31)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 366:
        problems.append(message("settings_days", file=where("completion_grace_days"), value=values.pop("completion_grace_days")))
    pairs = values.get("moderation_min_pairs", 10)
    if isinstance(pairs, bool) or not isinstance(pairs, int) or not 1 <= pairs <= 1000:
        problems.append(message("settings_min_pairs", file=where("moderation_min_pairs"), value=values.pop("moderation_min_pairs")))
    if problems:
        raise WorkspaceError("\n".join(problems))
    settings = WorkspaceSettings(**values)
    if not settings.is_child_id(settings.child_id_example):
        raise WorkspaceError(message("settings_example", file=where("child_id_example"), value=settings.child_id_example))
    return settings


def write_example_settings(root: Path) -> Path | None:
    """Write a commented qa.yaml with the defaults at *root*, unless there is one; the path if written."""
    path = root / SETTINGS_FILE
    try:
        with open(path, "x", encoding="utf-8") as settings_file:
            settings_file.write(EXAMPLE)
    except FileExistsError:
        return None
    return path
