"""The workspace config file, qa.yaml: plain `setting: value` lines with comments, read once, checked on load.

Each setting has a plain name, a default, and a sentence saying what it does; a bad value stops the
load with the file, the line and how to fix it. :func:`effective` says where each value came from
(the default, a line of qa.yaml, or QA_TODAY / --today), which is what `qa config` prints.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import WorkspaceError

CONFIG_FILE = "qa.yaml"
TODAY_ENV = "QA_TODAY"


@dataclass(frozen=True)
class Setting:
    """One line of qa.yaml: its name, default, kind ('yes/no', 'days', 'seconds', 'minutes') and what it does."""

    name: str
    default: Any
    kind: str
    help: str
    section: str


_SECTION = "What qa watch does by itself"
_SAMPLE = "Choosing the children (qa sample)"
_MAIL = "Reminders and receipts (qa remind, qa watch)"
# Where the caseload extract keeps each fact: the heading of its column, as the case-management system writes it.
CASELOAD_COLUMNS = {
    "child_id": "Child ID", "name": "Child name", "team": "Team", "level_of_need": "Level of need",
    "worker": "Allocated worker", "manager": "Team manager", "open_date": "Open date",
}
PEOPLE_SETTINGS: tuple[Setting, ...] = (
    *(Setting(f"caseload_{key}_column", heading, "text", f"The heading of the caseload extract's column that holds "
              f"the {key.replace('_', ' ').replace('id', 'ID')} (qa sample reads the extract by its headings; "
              "capitals and spacing do not matter).", _SAMPLE) for key, heading in CASELOAD_COLUMNS.items()),
    Setting("sample_exclude_months", 12, "months", "Children reviewed, dip-sampled or issued a CCR in this many months "
            "before the sample is drawn are left out of it (0: none left out).", _SAMPLE),
    Setting("sample_bordering_good_percent", 25, "percent", "At most this share of a CCR sample is children whose last "
            "review graded them Requires improvement or Inadequate but bordering Good (or listed in "
            "admin/bordering-good.xlsx), to see whether the learning was acted on.", _SAMPLE),
    Setting("sample_quotas", {}, "quotas", "How many children of each level of need a CCR sample takes, for example "
            "{Child protection: 6, Care leaver: 2}; levels left out share the rest in proportion to the caseload.", _SAMPLE),
    Setting("remind_escalate_days", 14, "days", "People whose returns are overdue by more than this many days are also "
            "listed in their line manager's reminder (qa remind).", _MAIL),
    Setting("receipts", False, "yes/no", "qa watch sends the author of each file a receipt when it is accepted or "
            "rejected (the rejection receipt carries the note). Without smtp_host, receipts are written to "
            "outbox/mail/receipts/ instead.", _MAIL),
    Setting("smtp_host", "", "text", "The mail server qa remind and receipts send through (blank: write .eml files "
            "in outbox/mail/ and send nothing).", _MAIL),
    Setting("smtp_port", 587, "port", "The mail server's port (587 for STARTTLS submission).", _MAIL),
    Setting("smtp_starttls", True, "yes/no", "Encrypt the connection with STARTTLS before logging in (leave on unless "
            "the server is on this computer).", _MAIL),
    Setting("smtp_user_env", "QA_SMTP_USER", "text", "The NAME of the environment variable holding the mail account's "
            "user name (never the user name itself: credentials are not kept in the workspace). Unset: no login.", _MAIL),
    Setting("smtp_password_env", "QA_SMTP_PASSWORD", "text", "The NAME of the environment variable holding the mail "
            "account's password.", _MAIL),
    Setting("mail_from", "qa@localhost", "text", "The address reminders and receipts come from: your QA team's "
            "mailbox, e.g. QA team <qa@example.gov.uk>.", _MAIL),
)
SETTINGS: tuple[Setting, ...] = (
    Setting("issue_forms", True, "yes/no", "Issue each planned activity's forms on the plan's dates, one pre-filled copy "
            "per person who owes it, into outbox/issued/<quarter>/<person>/ with a cover note.", _SECTION),
    Setting("issue_days_before", 0, "days", "How many days before the plan's 'Week beginning' date the forms are issued "
            "(0: on the day). A row with no week beginning is issued on the first day of its month, less these days but "
            "never before its quarter begins.", _SECTION),
    Setting("reload_admin", True, "yes/no", "Read admin/ again (roster, plan, targets, action updates) when a file "
            "there changes. A bad row is reported in the log and in the tracker; the watcher carries on.", _SECTION),
    Setting("tracker", True, "yes/no", "Keep outbox/<quarter>/tracker.xlsx up to date: activity against the minimums, "
            "who owes what, rejected and unreturned forms, open and overdue actions.", _SECTION),
    Setting("tracker_delay_seconds", 30, "seconds", "After a file arrives, wait this long for more before the tracker "
            "is rewritten (a batch of files makes one update).", _SECTION),
    Setting("draft_report", True, "yes/no", "Keep a draft DLT report for the current quarter in outbox/<quarter>/, "
            "marked DRAFT in its header and its file name.", _SECTION),
    Setting("draft_report_delay_minutes", 10, "minutes", "After a file arrives, wait this long for more before the "
            "draft report is rendered again.", _SECTION),
    Setting("final_report", True, "yes/no", "On the report date, render the final DLT report and the service-area "
            "drafts once. The watcher never overwrites a final report: run 'qa report' to render it again.", _SECTION),
    Setting("report_days_before_dlt", 7, "days", "How many days before the plan's DLT date the report date is.", _SECTION),
    *PEOPLE_SETTINGS,
    Setting("follow_through_days", 28, "days", "The report's follow-through table (framework §13): a step after a case "
            "review (feedback to the practitioner, placed on file, supervision, follow-up) not done this many days after "
            "the review is shown as overdue.", "What the report shows"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
# Where the store is and whose rows are whose (read and checked by pipeline/store/): known here so qa.yaml may
# carry them. database: a PostgreSQL URL; council: the tenant code; lease_seconds: a claim's lease;
# council_name, region_opt_in, region_show_name: what `qa region report` may show of this council.
STORE_SETTINGS = ("database", "council", "council_name", "lease_seconds", "region_opt_in", "region_show_name")
_LIMITS = {"days": (0, 366), "seconds": (0, 86_400), "minutes": (0, 10_080), "months": (0, 120), "percent": (0, 100),
           "port": (1, 65_535)}
_FIX = {
    "months": "Write a whole number of months from 0 to 120, for example 12.",
    "percent": "Write a whole number from 0 to 100, for example 25.",
    "port": "Write the port number, for example 587.",
    "text": "Write the text after the colon, in quotes if it contains : or #.",
    "quotas": "Write each level of need with a number, for example {Child protection: 6, Care leaver: 2}.",
    "yes/no": "Write yes or no.",
    "days": "Write a whole number of days from 0 to 366, for example 7.",
    "seconds": "Write a whole number of seconds, for example 30.",
    "minutes": "Write a whole number of minutes, for example 10.",
}


def _validation_settings() -> dict[str, Any]:
    """The same file's settings for checking forms (pipeline/spec/settings.py reads and checks them), with their defaults."""
    from .spec.settings import WorkspaceSettings

    return dict(vars(WorkspaceSettings()))


@dataclass(frozen=True)
class Value:
    """An effective setting and where it came from ('default', 'qa.yaml line 12', 'QA_TODAY', '--today')."""

    name: str
    value: Any
    source: str


class Config:
    """The effective hands-off settings of a workspace: ``config.issue_forms`` and so on."""

    def __init__(self, values: dict[str, Value], path: Path) -> None:
        self.values = values
        self.path = path

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name].value
        except KeyError:
            raise AttributeError(name) from None

    def with_today(self, today: dt.date | None, source: str) -> Config:
        """A copy whose schedule date is *today* (None: the computer's date)."""
        values = dict(self.values)
        values["today"] = Value("today", today, source)
        return Config(values, self.path)

    def overridden(self, source: str, **settings: Any) -> Config:
        """A copy with *settings* set from *source* (the demo uses it)."""
        values = dict(self.values)
        values |= {name: Value(name, value, source) for name, value in settings.items()}
        return Config(values, self.path)

    def today(self) -> dt.date:
        """The date the schedule acts on: QA_TODAY / --today if set, else the computer's date."""
        fixed = self.values["today"].value
        return fixed if fixed is not None else dt.date.today()


def shown(value: Any) -> str:
    """A value as qa.yaml writes it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "the computer's date" if value is None else str(value)


def parse_today(text: str, source: str) -> dt.date:
    """QA_TODAY / --today as a date; WorkspaceError saying how to write it."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise WorkspaceError(f"{source} '{text}' is not a date. Write it as YYYY-MM-DD, for example 2022-10-10.") from None


def load_config(root: Path, environ: dict[str, str] | None = None) -> Config:
    """The settings in *root*/qa.yaml (defaults for any left out) and QA_TODAY; WorkspaceError listing every problem."""
    from .spec.settings import load_settings

    path = root / CONFIG_FILE
    environ = os.environ if environ is None else environ
    lines = setting_lines(path)  # a file that is not YAML stops here, with its line
    validation = _validation_settings()
    problems: list[str] = []
    try:  # the validation settings (and unknown names) are checked where they are used, with their lines
        checked = vars(load_settings(path))
    except WorkspaceError as err:
        checked, problems = validation, str(err).splitlines()
    values = {name: Value(name, checked[name], "default") for name in validation}
    values |= {s.name: Value(s.name, s.default, "default") for s in SETTINGS}
    for key, line, raw in lines:
        setting = BY_NAME.get(key)
        where = f"{CONFIG_FILE} line {line}"
        if key in validation:
            values[key] = Value(key, checked[key], where)
            continue
        if setting is None:
            continue  # reported by load_settings
        if raw is None:
            continue  # 'setting:' with nothing after it: the default
        value = _check(setting, raw)
        if value is None:
            problems.append(f"{where}: {key} '{shown(raw)}' is not {_what(setting)}. {_FIX[setting.kind]}")
        else:
            values[key] = Value(key, value, where)
    if problems:
        raise WorkspaceError("\n".join(sorted(problems, key=_line_number)))
    config = Config(values, path)
    text = environ.get(TODAY_ENV, "").strip()
    return config.with_today(parse_today(text, TODAY_ENV), TODAY_ENV) if text else config.with_today(None, "default")


def setting_lines(path: Path) -> list[tuple[str, int, Any]]:
    """(setting, line number, value) for each top-level line of *path*; WorkspaceError if it is not YAML."""
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as err:
        raise WorkspaceError(f"{CONFIG_FILE}: cannot be read ({err}). Save it as plain text (UTF-8).") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{CONFIG_FILE} line {mark.line + 1}" if mark else CONFIG_FILE
        raise WorkspaceError(f"{where}: not valid YAML ({getattr(err, 'problem', None) or err}). Write one "
                             "'setting: value' per line, starting at the left edge; put text containing : or # in quotes.") from err
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise WorkspaceError(f"{CONFIG_FILE} line {node.start_mark.line + 1}: expected 'setting: value' lines. "
                             "Write one setting per line, for example 'tracker: yes'.")
    # Built from the node itself: serialising 'setting:' with nothing after it and loading it again fails.
    loader_value: Callable[[yaml.Node], Any] = lambda item: yaml.SafeLoader("").construct_document(item)  # noqa: E731
    return [(str(key.value), key.start_mark.line + 1, loader_value(value)) for key, value in node.value]


def _line_number(problem: str) -> int:
    head = problem.split(":", 1)[0]
    return int(head.rsplit(" ", 1)[-1]) if " line " in head else 0


def _check(setting: Setting, raw: Any) -> Any:
    """*raw* as the setting's kind, or None when it is not one."""
    if setting.kind == "yes/no":
        return raw if isinstance(raw, bool) else None
    if setting.kind == "text":
        return str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    if setting.kind == "quotas":
        good = isinstance(raw, dict) and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1000
                                             for v in raw.values())
        return {str(key): value for key, value in raw.items()} if good else None
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    low, high = _LIMITS[setting.kind]
    return raw if low <= raw <= high else None


def _what(setting: Setting) -> str:
    kinds = {"yes/no": "yes or no", "text": "text", "quotas": "a list of levels of need with numbers",
             "percent": "a percentage", "port": "a port number"}
    return kinds.get(setting.kind, f"a number of {setting.kind}")


def example_text() -> str:
    """The commented qa.yaml `qa init` writes: every setting with its default."""
    from .spec.settings import EXAMPLE

    lines = [EXAMPLE.rstrip("\n"), "", "# Run 'qa config' to see the settings in effect and where each came from.", ""]
    section = None
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines += [f"# ---- {section} ----", ""]
        lines += [f"# {part}" for part in _wrap(setting.help)]
        lines += [f"{setting.name}: {shown(setting.default) or repr('')}", ""]
    return "\n".join(lines)


def _wrap(text: str, width: int = 98) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def write_example_config(root: Path) -> Path | None:
    """Write the commented qa.yaml at *root* unless there is one; the path if written (never overwrites)."""
    path = root / CONFIG_FILE
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(example_text())
    except FileExistsError:
        return None
    return path


def describe(config: Config) -> list[str]:
    """`qa config`: each effective setting, its value and where it came from."""
    rows = [(value.name, shown(value.value), value.source) for value in config.values.values()]
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    lines = [f"Settings for the workspace at {config.path.parent} (from {config.path.name} where set there):", ""]
    lines += [f"  {name:<{width}}  {value:<{value_width}}  ({source})" for name, value, source in rows]
    return lines
