"""Trends over up to eight quarters against the quality targets, with honest statements of change.

A quarter's share (of reviews graded good or better, or inadequate) is shown with its count n and
a 95% Wilson interval. A change between two quarters is called a *clear* rise or fall only when a
two-proportion z-test gives p < 0.05; anything smaller is "no clear change", never a headline.
The targets ("at least 40% good or better, no more than 10% inadequate") are the ``quality:``
block of targets.yaml, read by :func:`load_quality_targets`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import WorkspaceError
from ..quarter import Quarter
from ..spec import GRADES, FormSpec
from ..store import StoredSubmission
from .practice import GOOD_OR_BETTER, domains, grade_of_record

WINDOW = 8  # quarters at most
Z95 = 1.96
METHOD = (
    "Each share is shown with its number of reviews (n) and a 95% confidence interval (Wilson score interval). "
    "A change from one quarter to another is called a clear rise or fall only when a two-proportion z-test finds it "
    "unlikely to be sampling noise (p < 0.05); otherwise it is reported as no clear change. With about 20 reviews a "
    "quarter, a change has to be roughly 30 percentage points to be clear. A target is met when the quarter's share "
    "is on the right side of it. It is 'not met' when the whole interval is on the wrong side, and 'not met, within "
    "noise' when the share is on the wrong side but the interval reaches the target."
)


@dataclass(frozen=True)
class QualityTargets:
    """The quality targets trends are judged against (targets.yaml, ``quality:``)."""

    good_or_better_min_percent: float = 40
    inadequate_max_percent: float = 10
    open_cases: int | None = None  # children with an open case, where known: the sample as a share of it
    source: str = "the default targets"


def load_quality_targets(path: Path | None) -> QualityTargets:
    """The ``quality:`` block of *path* over the shipped defaults; WorkspaceError saying which setting is wrong."""
    from ..targets import DEFAULT_TARGETS

    settings: dict = {}
    for file in (DEFAULT_TARGETS, path):
        if file is None or not file.exists():
            continue
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue  # load_targets reports an unreadable targets file, with the line
        block = document.get("quality") if isinstance(document, dict) else None
        if isinstance(block, dict):
            settings |= block
    known = {"good_or_better_min_percent", "inadequate_max_percent", "open_cases"}
    name = path.name if path is not None and path.exists() else DEFAULT_TARGETS.name
    for key, value in settings.items():
        if key not in known:
            raise WorkspaceError(f"{name} · quality.{key}: not a setting. The quality targets are: {', '.join(sorted(known))}.")
        if value is None and key == "open_cases":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (key != "open_cases" and value > 100):
            raise WorkspaceError(
                f"{name} · quality.{key}: {value!r} is not a {'count' if key == 'open_cases' else 'percentage'}. "
                f"Write a number, e.g. {'1450' if key == 'open_cases' else '40'}."
            )
    return QualityTargets(
        float(settings.get("good_or_better_min_percent", 40)),
        float(settings.get("inadequate_max_percent", 10)),
        int(settings["open_cases"]) if settings.get("open_cases") is not None else None,
        name,
    )


def wilson(count: int, n: int) -> tuple[float | None, float | None]:
    """The 95% Wilson score interval of count/n, in percent (None, None when n is 0)."""
    if not n:
        return None, None
    p = count / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of a pooled two-proportion z-test (None when either n is 0)."""
    if not n1 or not n2:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x2 / n2 - x1 / n1) / se
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass
class TrendPoint:
    """One quarter's share: count of n, percent and its 95% interval."""

    quarter: str
    n: int
    count: int
    percent: float | None
    low: float | None
    high: float | None


@dataclass
class TrendLine:
    """One measure over the quarters, its latest change and where it stands against its target."""

    label: str
    measure: str  # 'good or better' | 'inadequate'
    higher_is_better: bool
    target: float | None
    target_text: str  # 'at least 40%' / 'no more than 10%' / ''
    points: list[TrendPoint]
    change: str  # 'clear rise' | 'clear fall' | 'no clear change' | 'no previous quarter'
    change_points: float | None
    p_value: float | None
    versus_target: str  # 'met' | 'not met' | 'not met, within noise' | 'no target' | 'no reviews'
    sentence: str = ""

    @property
    def latest(self) -> TrendPoint:
        """This quarter's point."""
        return self.points[-1]


@dataclass
class Trends:
    """Quality of practice over the last quarters (CCRs, moderated grade where there is one)."""

    quarters: list[str]
    lines: list[TrendLine]
    method: str = METHOD
    targets: str = ""
    few_quarters: str = ""  # a caveat when fewer than four quarters have reviews
    table: list[dict] = field(default_factory=list)  # one row per line: this quarter, change, target, verdict
    by_quarter: list[dict] = field(default_factory=list)  # one row per quarter: n, good or better, inadequate


def change_between(x1: int, n1: int, x2: int, n2: int) -> tuple[str, float | None, float | None]:
    """('clear rise' | 'clear fall' | 'no clear change' | 'no previous quarter', points, p)."""
    if not n1:
        return "no previous quarter", None, None
    if not n2:
        return "no reviews this quarter", None, None
    points = round(100 * (x2 / n2 - x1 / n1), 1)
    p = two_proportion_p(x1, n1, x2, n2)
    if p is not None and p < 0.05:
        return ("clear rise" if points > 0 else "clear fall"), points, p
    return "no clear change", points, p


def _versus(point: TrendPoint, target: float | None, higher_is_better: bool) -> str:
    if target is None:
        return "no target"
    if not point.n or point.percent is None:
        return "no reviews"
    met = point.percent >= target if higher_is_better else point.percent <= target
    if met:
        return "met"
    wholly_wrong = (point.high is not None and point.high < target) if higher_is_better else (point.low is not None and point.low > target)
    return "not met" if wholly_wrong else "not met, within noise"


def trend_line(
    label: str, measure: str, per_quarter: list[tuple[str, int, int]], target: float | None, higher_is_better: bool
) -> TrendLine:
    """A line from (quarter, count, n) per quarter, oldest first; the change is the last two quarters'."""
    points = []
    for quarter, count, n in per_quarter:
        low, high = wilson(count, n)
        points.append(TrendPoint(quarter, n, count, round(100 * count / n, 1) if n else None, low, high))
    if len(points) >= 2:
        before, now = points[-2], points[-1]
        change, moved, p = change_between(before.count, before.n, now.count, now.n)
    else:
        change, moved, p = "no previous quarter", None, None
    target_text = "" if target is None else (f"at least {target:.0f}%" if higher_is_better else f"no more than {target:.0f}%")
    line = TrendLine(label, measure, higher_is_better, target, target_text, points, change, moved, p,
                     _versus(points[-1], target, higher_is_better))
    line.sentence = describe(line)
    return line


def describe(line: TrendLine) -> str:
    """'Good or better: 38% of 21 (95% CI 21–59%), no clear change from 35% of 20 in 2022-23-Q2; target at least 40%: not met, within noise.'"""
    now = line.latest
    if not now.n:
        return f"{line.label}: no reviews in {now.quarter}."
    text = f"{line.label}: {now.percent:.0f}% of {now.n} (95% CI {now.low:.0f}–{now.high:.0f}%)"
    if len(line.points) >= 2 and line.points[-2].n:
        before = line.points[-2]
        text += f", {line.change} from {before.percent:.0f}% of {before.n} in {before.quarter}"
    else:
        text += ", no previous quarter to compare with"
    if line.target_text:
        text += f"; target {line.target_text}: {line.versus_target}"
    return text + "."


def quarters_back(quarter: Quarter, count: int = WINDOW) -> list[Quarter]:
    """*count* quarters ending with *quarter*, oldest first."""
    found = [quarter]
    while len(found) < count:
        found.append(found[-1].previous())
    return found[::-1]


def ccr_trends(
    spec: FormSpec, reviews: list[StoredSubmission], quarter: Quarter, targets: QualityTargets,
    clean: Callable[[object], str] | None = None,
) -> Trends:
    """Good-or-better and inadequate shares over up to eight quarters to *quarter*, overall and per domain."""
    window = quarters_back(quarter)
    by_quarter: dict[str, list[StoredSubmission]] = {q.label: [] for q in window}
    for review in reviews:
        if review.quarter in by_quarter:
            by_quarter[review.quarter].append(review)
    labels = [q.label for q in window]
    first = next((i for i, label in enumerate(labels) if by_quarter[label]), len(labels) - 1)
    labels = labels[first:]  # from the first quarter with reviews

    def shares(grade_of, grades: tuple[str, ...]) -> list[tuple[str, int, int]]:
        rows = []
        for label in labels:
            given = [grade_of(r) for r in by_quarter[label]]
            rated = [g for g in given if g in GRADES]
            rows.append((label, sum(1 for g in rated if g in grades), len(rated)))
        return rows

    lines = [
        trend_line("Good or better (overall, moderated)", "good or better", shares(grade_of_record, GOOD_OR_BETTER),
                   targets.good_or_better_min_percent, True),
        trend_line("Inadequate (overall, moderated)", "inadequate", shares(grade_of_record, (GRADES[-1],)),
                   targets.inadequate_max_percent, False),
    ]
    for field_id, label in domains(spec):
        lines.append(trend_line(f"{label}, good or better", "good or better",
                                shares(lambda r, f=field_id: r.values.get(f), GOOD_OR_BETTER),
                                targets.good_or_better_min_percent, True))
    with_data = sum(1 for label in labels if by_quarter[label])
    few = "" if with_data >= 4 else (
        f"Only {with_data} quarter(s) have collaborative case reviews so far, so this is not yet a trend."
    )
    trends = Trends(labels, lines, targets=(
        f"Targets ({targets.source}, quality:): at least {targets.good_or_better_min_percent:.0f}% of reviews good or "
        f"better, no more than {targets.inadequate_max_percent:.0f}% inadequate, overall and in each domain."
    ), few_quarters=few)
    trends.table = [_row(line) for line in lines]
    trends.by_quarter = [
        {"quarter": good.quarter, "n": good.n, "good": _cell(good), "inadequate": _cell(bad)}
        for good, bad in zip(lines[0].points, lines[1].points)
    ]
    return trends


def _cell(point: TrendPoint) -> str:
    """'38% (8 of 21; 21–59%)', or '—' for a quarter without reviews."""
    if point.percent is None:
        return "—"
    return f"{point.percent:.0f}% ({point.count} of {point.n}; {point.low:.0f}–{point.high:.0f}%)"


def _row(line: TrendLine) -> dict:
    verdict = line.change if line.change_points is None else f"{line.change} ({_signed(line.change_points)})"
    now = line.latest
    series = " → ".join("—" if p.percent is None else f"{p.percent:.0f}" for p in line.points) + "%"
    return {"label": line.label, "now": "—" if now.percent is None else f"{now.percent:.0f}% (n={now.n})", "series": series,
            "target": line.target_text, "change": verdict, "versus": line.versus_target}


def _signed(points: float) -> str:
    if round(points) == 0:
        return "±0 points"
    return f"{'+' if points > 0 else '−'}{abs(points):.0f} points"
