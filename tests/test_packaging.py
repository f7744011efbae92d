"""The pipeline as a user installs it: a wheel, not the source tree — built, installed without -e, and run.

An editable install reads form specs and defaults from the repository, so it hides a wheel that
ships without them. Here the wheel is built from a copy of the sources, installed into a fresh
virtual environment, and `qa` is run from a folder outside the repository, so nothing can come
from the source tree. The dependencies (matplotlib, numpy, lxml, …) are taken from the test
environment by a path entry rather than installed again: installing them takes longer than the
rest of the test and proves nothing about our package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from answers import full_answers
from pipeline.spec import Catalogue
from pipeline.templates import file_name
from pipeline.templates.docx_fill import fill_docx
from pipeline.workspace import BUILTIN_SPECS

REPO = Path(__file__).resolve().parents[1]
# What a build reads: the package, the shipped specs, and the packaging files.
SOURCES = ("pipeline", "form_templates", "setup.py", "setup.cfg", "pyproject.toml", "README.md")
QUARTER = "2022-23-Q3"


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (no -e)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(root / "dist"), str(source)], cwd=root)
    [wheel] = (root / "dist").glob("qa_pipeline-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--quiet", str(wheel)], cwd=root)
    # The dependencies, from the test environment: a path line (its .pth files, among them the
    # editable install's finder, are not run), after the venv's own site-packages.
    target = Path(_run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip())
    (target / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def _run(command: list[str], cwd: Path) -> str:
    """Run *command* from *cwd*, a folder outside the repository (`python -c` would import the source tree from it)."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240,
                          env={key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "QA_WORKSPACE")})
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_installed_wheel_runs_init_forms_templates_ingest_and_report(venv, tmp_path, catalogue):
    qa = str(venv / "bin" / "qa")
    workspace = tmp_path / "ws"
    where = _run([str(venv / "bin" / "python"), "-c", "import pipeline; print(pipeline.__file__)"], cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(venv), where  # the wheel's copy, not the source tree

    init = _run([qa, "--workspace", str(workspace), "init"], cwd=tmp_path)
    assert init.splitlines()[0] == f"Workspace ready at {workspace}"
    assert sorted(path.name for path in (workspace / "form_templates").glob("*.yaml")) == sorted(
        path.name for path in BUILTIN_SPECS.glob("*.yaml")
    )

    listed = json.loads(_run([qa, "--workspace", str(workspace), "forms", "--json"], cwd=tmp_path))
    assert [entry["key"] for entry in listed] == catalogue.keys()

    written = _run([qa, "--workspace", str(workspace), "templates"], cwd=tmp_path).splitlines()
    assert sorted(Path(line).name for line in written) == sorted(file_name(spec, f"v{spec.version}") for spec in catalogue)

    spec = catalogue.find("observation")
    blank = (workspace / "outbox" / "templates" / file_name(spec, f"v{spec.version}")).read_bytes()
    values, _ = full_answers(spec)
    (workspace / "inbox" / "observation.docx").write_bytes(fill_docx(blank, spec, values))
    ingested = [json.loads(line) for line in _run([qa, "--workspace", str(workspace), "ingest", "--json"], cwd=tmp_path).splitlines()]
    assert ingested == [{"file": "observation.docx", "status": "accepted", "form": "observation", "problems": []}]

    report = _run([qa, "--workspace", str(workspace), "report", "--quarter", QUARTER], cwd=tmp_path).splitlines()
    path = workspace / "outbox" / QUARTER / f"QA-report-{QUARTER}.docx"
    assert report[0] == f"DLT report for {QUARTER}: {path}"
    assert path.stat().st_size > 0


def test_the_wheel_carries_every_shipped_spec_as_package_data(venv, tmp_path, catalogue):
    installed = Path(_run([str(venv / "bin" / "python"), "-c",
                           "import importlib.resources as r; print(r.files('pipeline.form_templates'))"], cwd=tmp_path).strip())

    assert installed.is_relative_to(venv)
    assert Catalogue.load(installed).keys() == catalogue.keys()
