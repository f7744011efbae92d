"""PNG charts for the report, drawn with matplotlib's Agg canvas from the report model's data.

The object API (Figure + FigureCanvasAgg) is used rather than pyplot: no global state, no GUI
backend, and nothing is kept alive between reports.
"""

from __future__ import annotations

import functools
import io

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..spec import GRADES
from .agreement import agreement_chart

# One colour per grade, dark green to red, distinguishable in greyscale print too.
GRADE_COLOURS = dict(zip(GRADES, ("#1b7837", "#7fbf7b", "#f4a340", "#c0392b")))
COMPLIANCE_COLOURS = {"Yes": "#1b7837", "Partly": "#f4a340", "No": "#c0392b"}
PREVIOUS, CURRENT = "#b4b4b4", "#1f4e79"
DPI = 150
WIDTH = 6.3  # inches: the text width of an A4 page with 2 cm margins
FONT = {"size": 8}
# The report's own font where the machine has it (Liberation Sans is metrically Arial), else matplotlib's.
FONT_CHOICES = ("Arial", "Liberation Sans", "DejaVu Sans")


@functools.cache
def _font_family() -> str:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in FONT_CHOICES if name in installed), "sans-serif")


def render_charts(data: dict) -> dict[str, bytes]:
    """Every chart the report embeds, by name, as PNG bytes (charts with nothing to show are left out)."""
    with matplotlib.rc_context({"font.family": _font_family()}):
        return _render(data)


def _render(data: dict) -> dict[str, bytes]:
    practice = data["practice"]
    charts: dict[str, bytes] = {}
    if practice["reviews"] or practice["previous_reviews"]:
        charts["grades"] = grade_distribution(
            practice["overall"], practice["previous_overall"], data["quarter"], practice["previous_quarter"]
        )
    if practice["reviews"]:
        charts["domains"] = domain_bars([practice["overall"]] + practice["domains"])
    trends = data.get("trends") or {}
    if trends.get("lines") and len(trends["lines"][0]["points"]) >= 2:
        charts["trend"] = trend_chart(trends["lines"][0], trends["lines"][1])
    teams = [t for t in data["dip_samples"]["by_team"] if t["total"]]
    if teams:
        charts["dip_teams"] = compliance_bars(teams)
    charts.update(agreement_chart(data))
    return charts


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _margins(figure: Figure, labels: list[str] | None = None, top: float = 0.3, bottom: float = 0.45) -> None:
    # Margins in inches set by hand: bbox_inches="tight" draws every chart twice (a third of the render time).
    # The left margin fits the longest bar label at 8 pt (about 0.065 in a character).
    width, height = figure.get_size_inches()
    left = 0.45 if labels is None else min(2.8, 0.2 + 0.065 * max((len(label) for label in labels), default=4))
    figure.subplots_adjust(left=left / width, right=1 - 0.15 / width, bottom=bottom / height, top=1 - top / height)


def _tidy(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=FONT["size"])


def grade_distribution(current: dict, previous: dict, label: str, previous_label: str) -> bytes:
    """Overall CCR grades this quarter beside last quarter's, as a share of reviews."""
    figure = _figure(2.1)
    axes = figure.add_subplot()
    positions = range(len(GRADES))
    width = 0.38
    for offset, dist, coloured in ((-width / 2, previous, False), (width / 2, current, True)):
        shares = [g["percent"] or 0 for g in dist["grades"]]
        colours = [GRADE_COLOURS[g["grade"]] for g in dist["grades"]] if coloured else [PREVIOUS] * len(GRADES)
        bars = axes.bar([p + offset for p in positions], shares, width, color=colours)
        for bar, grade in zip(bars, dist["grades"]):
            if grade["count"]:
                axes.annotate(
                    str(grade["count"]),
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 1),
                    textcoords="offset points",
                )
    axes.set_xticks(list(positions), GRADES)
    axes.set_ylabel("% of reviews", fontsize=FONT["size"])
    top = max([g["percent"] or 0 for g in current["grades"]] + [g["percent"] or 0 for g in previous["grades"]] + [10])
    axes.set_ylim(0, min(100, top * 1.2))
    axes.set_title(
        f"Overall grade (moderated where moderated), % of reviews: {label} (coloured, n={current['total']}) "
        f"and {previous_label} (grey, n={previous['total']})",
        fontsize=8.5,
        loc="left",
    )
    _tidy(axes)
    _margins(figure, top=0.3, bottom=0.3)
    return _png(figure)


def domain_bars(distributions: list[dict], title: str | None = None) -> bytes:
    """One 100% stacked bar per CCR domain (and overall), coloured by grade, with counts; *title* says what the bars are."""
    figure = _figure(0.32 * len(distributions) + 0.9)
    axes = figure.add_subplot()
    labels = [d["label"] for d in distributions][::-1]
    rows = distributions[::-1]
    left = [0.0] * len(rows)
    for index, grade in enumerate(GRADES):
        shares = [(d["grades"][index]["percent"] or 0) for d in rows]
        bars = axes.barh(labels, shares, left=left, color=GRADE_COLOURS[grade], label=grade, height=0.7)
        for bar, dist in zip(bars, rows):
            count = dist["grades"][index]["count"]
            if count and bar.get_width() >= 6:
                axes.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if index in (0, 3) else "black",
                )
        left = [a + b for a, b in zip(left, shares)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of reviews (numbers are counts)", fontsize=FONT["size"])
    axes.legend(ncol=4, fontsize=7, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False)
    figure.suptitle(
        title or f"CCR grades by domain, % of {distributions[0]['total']} reviews: overall moderated where moderated, domains as the reviewer graded",
        fontsize=8.5, x=0.01, ha="left",
    )
    _tidy(axes)
    _margins(figure, labels, top=0.55)
    return _png(figure)


def compliance_bars(teams: list[dict]) -> bytes:
    """Dip-sample compliance by team: Yes / Partly / No as shares of the children sampled."""
    figure = _figure(0.3 * len(teams) + 0.9)
    axes = figure.add_subplot()
    rows = teams[::-1]
    labels = [f"{t['label']} (n={t['total']})" for t in rows]
    left = [0.0] * len(rows)
    for answer in ("Yes", "Partly", "No"):
        shares = [t[f"{answer.lower()}_percent"] or 0 for t in rows]
        axes.barh(labels, shares, left=left, color=COMPLIANCE_COLOURS[answer], label=answer, height=0.7)
        left = [a + b for a, b in zip(left, shares)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of children sampled", fontsize=FONT["size"])
    axes.legend(ncol=3, fontsize=7, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False)
    figure.suptitle("Dip sampling: % of children fully, partly and not compliant, by the child's team (n = children)",
                    fontsize=8.5, x=0.01, ha="left")
    _tidy(axes)
    _margins(figure, labels, top=0.55)
    return _png(figure)


def trend_chart(good: dict, inadequate: dict) -> bytes:
    """Good-or-better and inadequate shares per quarter with 95% intervals and the target lines."""
    figure = _figure(2.4)
    axes = figure.add_subplot()
    quarters = [p["quarter"] for p in good["points"]]
    positions = list(range(len(quarters)))
    for line, colour in ((good, CURRENT), (inadequate, GRADE_COLOURS["Inadequate"])):
        xs = [x for x, p in zip(positions, line["points"]) if p["percent"] is not None]
        points = [p for p in line["points"] if p["percent"] is not None]
        ys = [p["percent"] for p in points]
        errors = [[y - p["low"] for y, p in zip(ys, points)], [p["high"] - y for y, p in zip(ys, points)]]
        axes.errorbar(xs, ys, yerr=errors, color=colour, marker="o", markersize=3, capsize=3, linewidth=1.2,
                      label=f"{line['measure'].capitalize()} (95% CI)")
        if line["target"] is not None:
            axes.axhline(line["target"], color=colour, linestyle=":", linewidth=1)
            axes.annotate(f"target {line['target_text']}", (-0.35, line["target"]), fontsize=6.5,
                          color=colour, va="bottom", ha="left")
    axes.set_xticks(positions, [f"{q}\n(n={p['n']})" for q, p in zip(quarters, good["points"])])
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.4, len(quarters) - 0.6)
    axes.set_ylabel("% of reviews", fontsize=FONT["size"])
    axes.legend(ncol=2, fontsize=7, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False)
    figure.suptitle("CCRs good or better and inadequate, % of reviews a quarter (moderated grade where there is one)",
                    fontsize=8.5, x=0.01, ha="left")
    _tidy(axes)
    _margins(figure, top=0.55, bottom=0.45)
    return _png(figure)
