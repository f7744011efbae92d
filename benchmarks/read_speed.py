"""Read + validate per form, against the floor measured in the same run and against the naive peer.

For every form in the catalogue a completed file is built (every field answered, three repeat rows,
filled the way Word or Excel saves it) and timed three ways:

- floor: zipfile opens the file and lxml parses the parts the reader needs, with no interpretation
  (Word: [Content_Types].xml, docProps/custom.xml, word/document.xml; Excel: content types,
  custom properties, workbook, its relationships, styles, shared strings and the form's sheet);
- ours: pipeline.ingest.examine(), the pure read + validate: safe open (size, zip and XML checks),
  identify the form, read every field, validate against the spec;
- peer: what a naive reader would do: python-docx Document() / openpyxl.load_workbook() (full load).

The same file is read over and over, as every copy of a form in a real inbox shares its styles,
theme and settings parts: the reader remembers which part openings it has already seen to be plain
XML, so those cost nothing the second time (a real submission's own document part does not repeat).
Each figure is the best of seven timed loops of at least --min-time seconds each, the three ways
taking turns in every round. Target: Word read + validate ≤ 2× the floor. Run from the repository
root:

    python benchmarks/read_speed.py [--rows 3] [--min-time 0.2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import docx  # noqa: E402
import openpyxl  # noqa: E402
from lxml import etree  # noqa: E402

from answers import full_answers  # noqa: E402  (tests/answers.py: valid answers for any spec)
from filling import fill_xlsx  # noqa: E402  (tests/filling.py: types into cells with openpyxl, as Excel saves)
from pipeline.ingest import examine  # noqa: E402
from pipeline.spec import Catalogue  # noqa: E402
from pipeline.templates import build_form  # noqa: E402
from pipeline.templates.docx_fill import fill_docx  # noqa: E402
from pipeline.workspace import BUILTIN_SPECS  # noqa: E402

from _machine import machine  # noqa: E402 (benchmarks/ is on sys.path when a script runs)

WORD_TARGET = 2.0
# The same parser settings the reader uses, so the floor parses exactly as much.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
WORD_PARTS = ("[Content_Types].xml", "docProps/custom.xml", "word/document.xml")
EXCEL_PARTS = (
    "[Content_Types].xml", "docProps/custom.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
    "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",  # sheet1 is the form sheet (the hidden Lists sheet is not read)
)


def completed(spec, rows: int) -> bytes:
    """A completed form for *spec*, every field answered, as Word or Excel would save it."""
    values, groups = full_answers(spec, rows)
    if spec.format == "docx":
        return fill_docx(build_form(spec), spec, values, groups)
    return fill_xlsx(build_form(spec), spec, values, groups)


def floor(data: bytes, kind: str) -> None:
    """Open the zip and parse the parts the reader needs, interpreting nothing."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    for part in WORD_PARTS if kind == "docx" else EXCEL_PARTS:
        if part in names:
            etree.fromstring(archive.read(part), _PARSER)


def peer(data: bytes, kind: str) -> None:
    """What a naive reader does: load the whole document with the usual library."""
    if kind == "docx":
        docx.Document(io.BytesIO(data))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(io.BytesIO(data)).close()


def best_of(actions: dict[str, Callable[[], object]], min_time: float, repeat: int = 7) -> dict[str, float]:
    """Seconds per call of each action: the best of *repeat* rounds, each long enough to time well.

    The actions take turns within every round, so a busy spell on the machine slows all of them
    alike instead of skewing one ratio.
    """
    loops = {}
    for name, action in actions.items():
        action()  # warm up: first-call imports and caches are not what is being measured
        number = 1
        while True:
            start = time.perf_counter()
            for _ in range(number):
                action()
            if time.perf_counter() - start >= min_time:
                break
            number *= 2
        loops[name] = number
    best = {name: float("inf") for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            for _ in range(loops[name]):
                action()
            best[name] = min(best[name], (time.perf_counter() - start) / loops[name])
    return best




def main() -> int:
    """Time every form and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3, help="repeat-group rows in each completed form (default 3)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds each timed loop runs at least (default 0.2)")
    args = parser.parse_args()
    catalogue = Catalogue.load(BUILTIN_SPECS)

    print(f"Read + validate benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    print(f"  each form completed with every field and {args.rows} repeat rows; ms per file, best of 7 interleaved rounds")
    print()
    header = f"  {'form':40} {'kind':4} {'KB':>5} {'floor':>7} {'ours':>7} {'×floor':>7} {'peer':>7} {'×floor':>7}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    ratios: dict[str, list[float]] = {"docx": [], "xlsx": []}
    for key in catalogue.keys():
        spec = catalogue.find(key)
        data = completed(spec, args.rows)
        examined = examine(f"{spec.id}.{spec.format}", data, catalogue)
        if not examined.valid:
            print(f"  {key}: the completed form did not validate: {examined.problems[:2]}", file=sys.stderr)
            return 1
        timed = best_of(
            {
                "floor": lambda data=data, kind=spec.format: floor(data, kind),
                "ours": lambda data=data: examine("bench", data, catalogue),
                "peer": lambda data=data, kind=spec.format: peer(data, kind),
            },
            args.min_time,
        )
        floor_s, ours_s, peer_s = timed["floor"], timed["ours"], timed["peer"]
        ratios[spec.format].append(ours_s / floor_s)
        print(
            f"  {key:40} {spec.format:4} {len(data) / 1024:5.0f} {floor_s * 1000:7.2f} {ours_s * 1000:7.2f} "
            f"{ours_s / floor_s:6.1f}× {peer_s * 1000:7.2f} {peer_s / floor_s:6.1f}×"
        )
    print()
    worst = max(ratios["docx"])
    verdict = "met" if worst <= WORD_TARGET else "MISSED"
    print(f"  Word read + validate: {min(ratios['docx']):.1f}–{worst:.1f}× the floor (target ≤ {WORD_TARGET:.0f}×: {verdict})")
    print(f"  Excel read + validate: {min(ratios['xlsx']):.1f}–{max(ratios['xlsx']):.1f}× the floor (no target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
