"""Run every benchmark script in benchmarks/ (all *.py but this one), one after another, each in its own process.

Benchmarks print their own figures with the machine and the date; this only runs them and says
which, if any, failed to run. Not part of CI's pass/fail. `make bench` calls it. Run from anywhere:

    python benchmarks/run_all.py [--quick] [NAME ...]

--quick sets QA_BENCH_QUICK=1 for the scripts that honour it (ingest_scale.py stops at 1,000
files). NAMEs pick scripts by file name (with or without .py); the default is all of them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    """The benchmark scripts to run, in name order: all of them, or those named."""
    found = sorted(path for path in HERE.glob("*.py") if path.name != Path(__file__).name and not path.name.startswith("_"))
    if not names:
        return found
    wanted = {name if name.endswith(".py") else f"{name}.py" for name in names}
    unknown = wanted - {path.name for path in found}
    if unknown:
        raise SystemExit(f"No such benchmark: {', '.join(sorted(unknown))}. Known: {', '.join(p.name for p in found)}")
    return [path for path in found if path.name in wanted]


def main() -> int:
    """Run the scripts; exit 1 if any of them failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="ask scripts that support it for a shorter run")
    parser.add_argument("names", nargs="*", help="benchmark scripts to run (default: all)")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.quick:
        env["QA_BENCH_QUICK"] = "1"
    failed = []
    for script in scripts(args.names):
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env, check=False)
        print(f"=== {script.name}: {'ok' if done.returncode == 0 else f'FAILED (exit {done.returncode})'} "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        print(flush=True)
        if done.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"Benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
