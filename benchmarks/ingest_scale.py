"""End-to-end ingest of mixed inboxes (70% Word, 30% Excel): forms per second and peak memory, 100 → 10,000 files.

For each size a new workspace gets that many completed forms in its inbox (every form in the
catalogue, each file with its own author so none is a duplicate or a replacement; writing them is
not timed). Then a fresh Python process runs `ingest_inbox` once — claim, read, validate, store
(one transaction per file), archive — and reports its wall time and its own peak RSS (VmHWM), so
the sizes' peaks never mix. Targets: ≥ 200 forms/s, peak RSS ≤ 200 MB whatever the size, time
growing linearly with the number of files. Run from the repository root:

    python benchmarks/ingest_scale.py [--sizes 100 1000 10000] [--quick]

--quick (or QA_BENCH_QUICK=1, as `benchmarks/run_all.py --quick` sets) stops at 1,000 files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _machine import machine  # noqa: E402 (benchmarks/ is on sys.path when a script runs)

FORMS_PER_SECOND_TARGET = 200
PEAK_RSS_TARGET_MB = 200
WORD_SHARE = 0.7
AUTHOR = "Bench author 000000"  # replaced in each copy by a numbered author of the same length
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}


def completed_forms() -> dict[str, tuple[str, bytes]]:
    """One completed form per catalogue entry, answered in full, by AUTHOR: key → (format, bytes)."""
    from answers import full_answers
    from filling import fill

    from pipeline.spec import Catalogue
    from pipeline.workspace import BUILTIN_SPECS

    forms = {}
    for spec in Catalogue.load(BUILTIN_SPECS):
        values, groups = full_answers(spec, rows=3)
        values["completed_by"] = AUTHOR
        forms[spec.key] = (spec.format, fill(spec, values, groups))
    return forms


def with_author(data: bytes, kind: str, number: int) -> bytes:
    """*data* with AUTHOR replaced by author *number*: a distinct file and a distinct submission."""
    source = zipfile.ZipFile(io.BytesIO(data))
    author = f"Bench author {number:06d}".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == MAIN_PART[kind]:
                blob = blob.replace(AUTHOR.encode(), author)
            target.writestr(info, blob, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def fill_inbox(inbox: Path, files: int, forms: dict[str, tuple[str, bytes]], seed: int = 2022) -> tuple[int, int]:
    """Write *files* completed forms into *inbox*, 70% Word and 30% Excel; return (Word, Excel) counts."""
    chooser = random.Random(seed)
    word = [key for key, (kind, _) in forms.items() if kind == "docx"]
    excel = [key for key, (kind, _) in forms.items() if kind == "xlsx"]
    counts = {"docx": 0, "xlsx": 0}
    word_files = round(files * WORD_SHARE)
    plan = ["docx"] * word_files + ["xlsx"] * (files - word_files)
    chooser.shuffle(plan)
    for number, kind in enumerate(plan, 1):
        key = chooser.choice(word if kind == "docx" else excel)
        _, data = forms[key]
        (inbox / f"{number:06d} {key.replace('/', '-')}.{kind}").write_bytes(with_author(data, kind, number))
        counts[kind] += 1
    return counts["docx"], counts["xlsx"]


_CHILD = """
import json, sys, time
from collections import Counter
from pipeline.ingest import ingest_inbox
from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.workspace import Workspace

workspace = Workspace.at(sys.argv[1])
start = time.perf_counter()
catalogue = Catalogue.load(workspace.specs)
with Store(workspace.store_path) as store:
    begun = time.perf_counter()
    outcomes = ingest_inbox(workspace, catalogue, store)
    seconds = time.perf_counter() - begun
startup = begun - start
with open("/proc/self/status", encoding="ascii") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "startup": startup, "statuses": Counter(o.status for o in outcomes), "peak_rss_mb": peak_kb / 1024}))
"""


def ingest_in_fresh_process(workspace_root: Path) -> dict:
    """Run one `ingest_inbox` over the workspace in a new interpreter; its time, outcomes and own peak RSS."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(workspace_root)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ingest failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])




def main() -> int:
    """Fill, ingest and measure each size; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="inbox sizes to ingest (default 100 1000 10000)")
    parser.add_argument("--quick", action="store_true", help="stop at 1,000 files")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("QA_BENCH_QUICK") == "1"
    sizes = args.sizes or ([100, 1000] if quick else [100, 1000, 10000])

    from pipeline.workspace import Workspace

    print(f"Ingest benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    print(f"  mixed inbox: {WORD_SHARE:.0%} Word, {1 - WORD_SHARE:.0%} Excel, every form in the catalogue, all valid;"
          " one fresh process per size")
    print("  start s: loading the form specs once per run; ingest s: claim, read, validate, store and archive every file")
    print()
    header = (f"  {'files':>6} {'Word':>6} {'Excel':>6} {'start s':>7} {'ingest s':>8} {'forms/s':>8} {'ms/form':>8} "
              f"{'× ms/form':>9} {'peak RSS MB':>11}  outcomes")
    print(header)
    print("  " + "-" * (len(header) - 2))
    forms = completed_forms()
    first_ms = None
    rates, peaks, growth = [], [], []
    for files in sizes:
        root = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
        try:
            workspace = Workspace(root / "ws").ensure()
            word, excel = fill_inbox(workspace.inbox, files, forms)
            report = ingest_in_fresh_process(workspace.root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        per_form = report["seconds"] / files * 1000
        first_ms = first_ms or per_form
        rates.append(files / report["seconds"])
        peaks.append(report["peak_rss_mb"])
        growth.append(per_form / first_ms)
        outcomes = ", ".join(f"{count:,} {status}" for status, count in sorted(report["statuses"].items()))
        print(
            f"  {files:>6,} {word:>6,} {excel:>6,} {report['startup']:>7.2f} {report['seconds']:>8.2f} {rates[-1]:>8.0f} {per_form:>8.2f} "
            f"{growth[-1]:>8.2f}× {report['peak_rss_mb']:>11.0f}  {outcomes}"
        )
    print()
    print(f"  forms/s: {min(rates):.0f}–{max(rates):.0f} (target ≥ {FORMS_PER_SECOND_TARGET}: {'met' if min(rates) >= FORMS_PER_SECOND_TARGET else 'MISSED'})")
    print(f"  peak RSS: {max(peaks):.0f} MB at most (target ≤ {PEAK_RSS_TARGET_MB} MB: {'met' if max(peaks) <= PEAK_RSS_TARGET_MB else 'MISSED'})")
    print(f"  time per form at {sizes[-1]:,} files is {growth[-1]:.2f}× that at {sizes[0]:,} (linear growth keeps it near 1×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
