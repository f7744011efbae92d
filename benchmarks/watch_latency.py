"""Watcher drop-to-stored latency: files dropped one at a time, and a burst dropped at once.

For each observer (native file events, then polling) a fresh workspace is watched by a Watcher with
its default settings; each file appears in the inbox at once (written aside, renamed in, as a
finished copy does) and counts as stored when ingest logs its outcome, after the store commit and
the move to the archive. Single drops are spaced by a random pause (up to 1 s, or up to one polling
interval when polling) so that they do not fall in step with the observer. Prints median and p95
with the machine and the date.

    python benchmarks/watch_latency.py [--files 200] [--burst 1000] [--interval 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.spec import Catalogue  # noqa: E402
from pipeline.templates import build_form  # noqa: E402
from pipeline.templates.docx_fill import fill_docx  # noqa: E402
from pipeline.watch import DEFAULT_POLL_INTERVAL, DEFAULT_SETTLE, Watcher  # noqa: E402
from pipeline.workspace import BUILTIN_SPECS, Workspace  # noqa: E402

from _machine import machine  # noqa: E402 (benchmarks/ is on sys.path when a script runs)


class StoredTimes(logging.Handler):
    """Records when ingest logged each file's outcome (the LogRecord's own timestamp)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: dict[str, float] = {}
        self.statuses: dict[str, str] = {}
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        if not str(record.msg).endswith("problem(s)"):
            return
        name, status = record.args[0], record.args[1]
        with self.changed:
            self.at[name] = record.created
            self.statuses[name] = status
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.at) >= count, timeout)


def forms(count: int) -> list[bytes]:
    """*count* distinct valid observation forms (one per child), filled in as Word would."""
    spec = Catalogue.load(BUILTIN_SPECS).find("observation")
    blank = build_form(spec)
    return [
        fill_docx(blank, spec, {
            "quarter": "2022-23-Q3", "completed_by": "Jo Bloggs", "completed_on": dt.date(2022, 11, 3),
            "observer": "Jo Bloggs", "practitioner": "Sam Smith", "observation_date": dt.date(2022, 11, 1),
            "child_id": f"C{n:05d}", "nature": "Visit", "strengths": "Warm, curious questions.",
            "areas_for_development": "Record the child's words.", "edi_evaluation": "Interpreter arranged.",
        })
        for n in range(count)
    ]


def run(mode: str, payloads: list[bytes], singles: int, interval: float) -> dict[str, list[float] | float]:
    """Watch a fresh workspace in *mode*; drop *singles* files one at a time, then the rest at once."""
    pauses = random.Random(3)
    longest_pause = interval if mode == "polling" else 1.0
    root = Path(tempfile.mkdtemp(prefix=f"qa-watch-bench-{mode}-"))
    workspace = Workspace(root).ensure()
    staging = root / "staging"
    staging.mkdir()
    names = [f"observation-{n:05d}.docx" for n in range(len(payloads))]
    for name, data in zip(names, payloads, strict=True):
        (staging / name).write_bytes(data)

    stored = StoredTimes()
    logger = logging.getLogger("pipeline")
    logger.setLevel(logging.INFO)
    logger.addHandler(stored)
    watcher = Watcher(workspace, Catalogue.load(BUILTIN_SPECS), polling=mode == "polling", interval=interval)
    dropped: dict[str, float] = {}
    try:
        watcher.start()
        watcher.wait_idle(30)
        for number, name in enumerate(names[:singles], start=1):
            time.sleep(pauses.uniform(0, longest_pause))  # people drop files at random moments
            dropped[name] = time.time()
            os.rename(staging / name, workspace.inbox / name)
            if not stored.wait_for(number, 60):
                raise SystemExit(f"{mode}: {name} was not stored within 60 s")
        burst = names[singles:]
        started = time.time()
        for name in burst:
            dropped[name] = time.time()
            os.rename(staging / name, workspace.inbox / name)
        if not stored.wait_for(len(names), 600):
            raise SystemExit(f"{mode}: the burst was not stored within 600 s")
        burst_wall = max(stored.at[name] for name in burst) - started
    finally:
        watcher.stop()
        logger.removeHandler(stored)
        shutil.rmtree(root, ignore_errors=True)
    wrong = {name: status for name, status in stored.statuses.items() if status != "accepted"}
    if wrong:
        raise SystemExit(f"{mode}: not accepted: {wrong}")
    latency = {name: stored.at[name] - dropped[name] for name in names}
    return {
        "single": [latency[name] for name in names[:singles]],
        "burst": [latency[name] for name in names[singles:]],
        "burst_wall": burst_wall,
    }


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]




def main() -> None:
    """Run both observers and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="files dropped one at a time (default 200)")
    parser.add_argument("--burst", type=int, default=1000, help="files dropped at once (default 1000)")
    parser.add_argument("--interval", type=float, default=DEFAULT_POLL_INTERVAL, help="polling interval, seconds")
    options = parser.parse_args()

    print(f"Watcher drop-to-stored latency — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine()}")
    print(f"Settle time {DEFAULT_SETTLE:g} s (two looks that agree); polling interval {options.interval:g} s; "
          f"files: valid observation forms of about {len(forms(1)[0]) // 1024} KB")
    payloads = forms(options.files + options.burst)
    print()
    print("| observer | drop | files | median | p95 | max | burst stored in |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mode in ("native", "polling"):
        result = run(mode, payloads, options.files, options.interval)
        for kind, label in (("single", "one at a time"), ("burst", "all at once")):
            values = result[kind]
            wall = f"{result['burst_wall']:.1f} s ({len(values) / result['burst_wall']:.0f} files/s)" if kind == "burst" else ""
            print(f"| {mode} | {label} | {len(values)} | {statistics.median(values):.2f} s | {p95(values):.2f} s "
                  f"| {max(values):.2f} s | {wall} |", flush=True)


if __name__ == "__main__":
    main()
