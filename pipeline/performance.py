"""Performance data: the month's indicators as the admin receives them, read from admin/performance.xlsx.

One row per indicator per month: Indicator, Month, Target, Value, Higher is better (Yes / No), and
optionally Unit ('%', 'days', 'children') and Area (the practice area a thematic audit would look at).
Any number of named indicators. Every bad row is reported by its row and left out; the good rows are
used (:class:`~pipeline.admin.RowProblems`, as the roster and plan).

The rules the report states:

- RAG on the latest month: Green on or better than target; Amber off target by no more than
  ``AMBER_MARGIN`` (5%) of the target; Red further off.
- Direction: the latest month against the month before (improving, worsening, no change).
- A theme is suggested when an indicator is off target in each of its two latest months up to the
  quarter's end, and those months follow one another: a thematic audit of its area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .admin import RowProblems, _month, _present, _rows, _text
from .admin_xlsx import Column, write_sheet
from .errors import WorkspaceError, message
from .quarter import Quarter
from .roles import fold

FILE_NAME = "performance.xlsx"
SHEET = "Indicators"
AMBER_MARGIN = 0.05
RULE = ("Green: on or better than target in the latest month; Amber: off target by no more than 5% of the target; "
        "Red: further off. Direction compares the latest month with the month before. An indicator off target in "
        "each of its two latest months, one after the other, suggests a thematic audit of its area.")
COLUMNS = {
    "indicator": ("Indicator", ("indicator name", "measure", "name")),
    "month": ("Month", ("period",)),
    "target": ("Target", ()),
    "value": ("Value", ("actual", "result", "performance")),
    "higher_is_better": ("Higher is better", ("higher better", "good is high", "direction")),
    "unit": ("Unit", ("units",)),
    "area": ("Area", ("theme", "practice area")),
}
_YES, _NO = ("yes", "y", "true", "higher", "high"), ("no", "n", "false", "lower", "low")


@dataclass(frozen=True)
class Reading:
    """One indicator's figure for one month."""

    indicator: str
    month: dt.date  # the 1st of the month
    target: float
    value: float
    higher_is_better: bool
    unit: str = ""
    area: str = ""

    @property
    def on_target(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def performance_path(workspace_root: Path) -> Path:
    return workspace_root / "admin" / FILE_NAME


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(_text(value).replace(",", "").rstrip("%").strip())  # '1,200' and '85%' read as typed
    except ValueError:
        return None


def read_performance(path: Path) -> list[Reading]:
    """The readings at *path*; RowProblems (a WorkspaceError) lists every bad row, with the good rows on it."""
    sheet, rows, epoch_1904 = _rows(path, SHEET, COLUMNS, ("indicator", "month", "target", "value", "higher_is_better"))
    problems: list[str] = []
    readings: list[Reading] = []
    seen: dict[tuple[str, dt.date], int] = {}
    direction: dict[str, tuple[bool, int]] = {}
    for number, values in rows:
        where = f"{path.name} · sheet '{sheet}' row {number}"
        row: list[str] = []
        name = _text(values["indicator"])
        if not name:
            row.append(message("performance_empty", where=where, column="Indicator"))
        month = _month(values["month"], None, None, epoch_1904) if _present(values["month"]) else None
        if month is None:
            row.append(message("performance_bad_month", where=where, value=_text(values["month"])))
        numbers = {}
        for key in ("target", "value"):
            label = COLUMNS[key][0]
            if not _present(values[key]):
                row.append(message("performance_empty", where=where, column=label))
            elif (numbers.setdefault(key, _number(values[key]))) is None:
                row.append(message("performance_bad_number", where=where, column=label, value=_text(values[key])))
        flag = fold(_text(values["higher_is_better"]))
        higher = True if flag in _YES else False if flag in _NO else None
        if higher is None:
            row.append(message("performance_bad_direction", where=where, value=_text(values["higher_is_better"])))
        if name and month is not None:
            key = (fold(name), month)
            if key in seen:
                row.append(message("performance_duplicate", where=where, name=name, month=f"{month:%B %Y}", first=seen[key]))
            else:
                seen[key] = number
        if name and higher is not None:
            first = direction.setdefault(fold(name), (higher, number))
            if first[0] != higher:
                row.append(message("performance_direction_changed", where=where, name=name, first=first[1]))
        problems += row
        if not row:
            readings.append(Reading(name, month, numbers["target"], numbers["value"], higher,  # type: ignore[arg-type]
                                    _text(values.get("unit")), _text(values.get("area"))))
    if problems:
        raise RowProblems("\n".join(problems), readings)
    return readings


def load_performance(workspace_root: Path) -> tuple[list[Reading], list[str]]:
    """The workspace's readings and the problems found in them (none and none when there is no file)."""
    path = performance_path(workspace_root)
    if not path.exists():
        return [], []
    try:
        return read_performance(path), []
    except RowProblems as err:
        return err.good, str(err).splitlines()
    except WorkspaceError as err:
        return [], str(err).splitlines()


# --- what the report shows -------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    """One indicator in the report: its latest month against target, RAG, direction and the quarter's months."""

    indicator: str
    area: str
    month: str  # 'December 2022'
    value: str  # '88%'
    target: str
    better: str  # 'Higher is better'
    rag: str
    direction: str  # 'Improving', 'Worsening', 'No change', 'First month'
    months: str  # 'Oct 82% · Nov 85% · Dec 88%'
    off_target_months: int  # how many of its latest months running were off target


def show(number: float, unit: str) -> str:
    text = f"{number:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else f"{text} {unit}" if unit else text


def rag(reading: Reading) -> str:
    if reading.on_target:
        return "Green"
    gap = abs(reading.value - reading.target)
    return "Amber" if gap <= AMBER_MARGIN * abs(reading.target) else "Red"


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def summarise(readings: list[Reading], quarter: Quarter) -> tuple[list[IndicatorLine], list[str]]:
    """Each indicator with a figure in *quarter*, and the thematic audits they suggest (see the module's rules)."""
    by_name: dict[str, list[Reading]] = {}
    for reading in sorted(readings, key=lambda r: r.month):
        if reading.month <= quarter.end:
            by_name.setdefault(fold(reading.indicator), []).append(reading)
    lines, suggestions = [], []
    for series in by_name.values():
        in_quarter = [r for r in series if r.month >= quarter.start]
        if not in_quarter:
            continue
        latest = series[-1]
        before = series[-2] if len(series) > 1 else None
        if before is None:
            direction = "First month"
        elif latest.value == before.value:
            direction = "No change"
        else:
            direction = "Improving" if (latest.value > before.value) == latest.higher_is_better else "Worsening"
        running = 0
        for current, earlier in zip(reversed(series), [*reversed(series[:-1]), None]):
            if current.on_target:
                break
            running += 1
            if earlier is None or _next_month(earlier.month) != current.month:
                break
        lines.append(IndicatorLine(
            latest.indicator, latest.area, f"{latest.month:%B %Y}", show(latest.value, latest.unit),
            show(latest.target, latest.unit), "Higher is better" if latest.higher_is_better else "Lower is better",
            rag(latest), direction, " · ".join(f"{r.month:%b} {show(r.value, r.unit)}" for r in in_quarter), running))
        if running >= 2:
            area = latest.area or latest.indicator
            suggestions.append(f"{latest.indicator} has been off target for {running} months running "
                               f"({show(latest.value, latest.unit)} against {show(latest.target, latest.unit)} in "
                               f"{latest.month:%B %Y}): consider a thematic audit of {area}.")
    order = {"Red": 0, "Amber": 1, "Green": 2}
    lines.sort(key=lambda line: (order[line.rag], fold(line.indicator)))
    return lines, suggestions


def write_performance(path: Path, readings: list[Reading]) -> None:
    """Write *readings* as the admin's performance workbook at *path* (the demo's, and a layout to copy)."""
    columns = [
        Column("Indicator", 40, "long"),
        Column("Month", 15, "month"),
        Column("Target", 10),
        Column("Value", 10),
        Column("Higher is better", 16, "choice", ("Yes", "No"), "Yes when a higher value is better."),
        Column("Unit", 10),
        Column("Area", 34, "long"),
    ]
    rows = [[r.indicator, r.month, r.target, r.value, "Yes" if r.higher_is_better else "No", r.unit, r.area] for r in readings]
    guide = [
        "Performance data",
        "One row per indicator per month, as the figures arrive. Any number of indicators.",
        "Target and Value: numbers (85 for 85%; write % in Unit). Higher is better: Yes or No.",
        "Area: the area of practice a thematic audit would look at when the indicator stays off target.",
    ]
    write_sheet(path, SHEET, columns, rows, guide)  # type: ignore[arg-type]
