"""Shared fixtures: a workspace in tmp_path with the shipped form specs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.templates import build_form
from pipeline.templates.docx_fill import fill_docx
from pipeline.workspace import BUILTIN_SPECS, Workspace


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load(BUILTIN_SPECS)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


@pytest.fixture
def store(workspace: Workspace):
    with Store(workspace.store_path) as db:
        yield db


@pytest.fixture(scope="module")
def make_form(catalogue):
    """Observation forms filled in as Word would: form(n) is valid and unique to child C<n>."""
    spec = catalogue.find("observation")
    blank = build_form(spec)
    cache: dict[int, bytes] = {}

    def form(n: int) -> bytes:
        if n not in cache:
            cache[n] = fill_docx(blank, spec, {
                "quarter": "2022-23-Q3", "completed_by": "Jo Bloggs", "completed_on": dt.date(2022, 11, 3),
                "observer": "Jo Bloggs", "practitioner": "Sam Smith", "observation_date": dt.date(2022, 11, 1),
                "child_id": f"C{n:05d}", "nature": "Visit", "strengths": "Warm, curious questions.",
                "areas_for_development": "Record the child's words.", "edi_evaluation": "Interpreter arranged.",
                "strengths_theme": "Voice of the child", "development_theme": "Case recording",
                "edi_judgement": "Understood and met",
            })
        return cache[n]

    return form
