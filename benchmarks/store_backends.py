"""The store on SQLite beside PostgreSQL: end-to-end ingest forms/s, and the store's own saves per second.

For each backend a new workspace gets the same mixed inbox (ingest_scale.py's: 70% Word, 30% Excel,
all valid, none a duplicate) and a fresh Python process runs `ingest_inbox` once; then the same process
kind saves already-read submissions straight into the store (one transaction each), which isolates the
store from reading the Office files. PostgreSQL is a throwaway local server (tests/pgserver.py: initdb +
pg_ctl, fsync off, over a Unix socket), so its figure is the store's own cost, not a network's.

    python benchmarks/store_backends.py [--files 500] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from _machine import machine  # noqa: E402
from ingest_scale import completed_forms, fill_inbox, ingest_in_fresh_process  # noqa: E402

_SAVES = """
import json, sys, time
from answers import full_answers
from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.validate import Submission
from pipeline.workspace import BUILTIN_SPECS, Workspace

workspace, count = Workspace.at(sys.argv[1]), int(sys.argv[2])
spec = Catalogue.load(BUILTIN_SPECS).find("observation")
values, groups = full_answers(spec)
items = []
for n in range(count):
    answers = dict(values, **{spec.role_field("child_id").id: f"C{n:05d}"})
    items.append(Submission(spec.id, None, spec.version, answers, groups, spec=spec))
with Store(workspace.store_path) as store:
    begun = time.perf_counter()
    for n, item in enumerate(items):
        store.save(item, file=f"{n}.docx", sha256=f"sha{n}", claim=f"claim{n}", destination=f"archive/{n}.docx")
    seconds = time.perf_counter() - begun
print(json.dumps({"seconds": seconds}))
"""


def saves_in_fresh_process(workspace_root: Path, count: int) -> float:
    """Seconds to save *count* submissions into the workspace's store, one transaction each."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    done = subprocess.run([sys.executable, "-c", _SAVES, str(workspace_root), str(count)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"saving failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main() -> int:
    """Ingest the same inbox on each backend; print forms/s side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, help="inbox size (default 500; 200 with --quick)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("QA_BENCH_QUICK") == "1"
    files = args.files or (200 if quick else 500)

    import pgserver

    from pipeline.workspace import Workspace

    why = pgserver.why_unavailable()
    if why:
        print(f"Store backends benchmark skipped: {why}")
        return 0
    print(f"Store backends benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    print(f"  {files} files, the same mixed inbox for each backend; PostgreSQL local (Unix socket, fsync off)")
    print()
    print(f"  {'store':<11} {'ingest s':>8} {'forms/s':>8} {'saves/s':>8}")
    forms = completed_forms()
    server = pgserver.Server()
    saved_url = os.environ.pop("QA_DATABASE_URL", None)
    try:
        for backend in ("SQLite", "PostgreSQL"):
            if backend == "PostgreSQL":
                os.environ["QA_DATABASE_URL"] = server.new_database()
            with tempfile.TemporaryDirectory(prefix="qa-bench-store-") as folder:
                workspace = Workspace(Path(folder) / "ws").ensure()
                fill_inbox(workspace.inbox, files, forms)
                result = ingest_in_fresh_process(workspace.root)
                if backend == "PostgreSQL":
                    os.environ["QA_DATABASE_URL"] = server.new_database()
                saves = Workspace(Path(folder) / "saves").ensure()
                save_seconds = saves_in_fresh_process(saves.root, files)
            print(f"  {backend:<11} {result['seconds']:>8.1f} {files / result['seconds']:>8.0f} {files / save_seconds:>8.0f}"
                  f"   {dict(result['statuses'])}")
    finally:
        os.environ.pop("QA_DATABASE_URL", None)
        if saved_url is not None:
            os.environ["QA_DATABASE_URL"] = saved_url
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
