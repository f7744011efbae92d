"""Shared fixtures: a workspace in tmp_path with the shipped form specs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import pgserver

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




class Backend:
    """One store backend for a test: `store()` opens the workspace's store on it, as every qa command there does."""

    def __init__(self, name: str, workspace: Workspace) -> None:
        self.name = name
        self.workspace = workspace

    def store(self, **options) -> Store:
        return Store(self.workspace.store_path, **options)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session (skipped with the reason where there is none; CI requires one)."""
    why = pgserver.why_unavailable()
    if why:
        if os.environ.get(pgserver.REQUIRE_ENV):
            pytest.fail(f"{pgserver.REQUIRE_ENV} is set but {why}")
        pytest.skip(f"PostgreSQL runs skipped: {why}")
    server = pgserver.Server()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(request) -> str:
    """A new empty PostgreSQL database for one test."""
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, workspace: Workspace, monkeypatch) -> Backend:
    """Each store backend in turn, selected for the workspace as a user selects it (QA_DATABASE_URL)."""
    monkeypatch.delenv("QA_DATABASE_URL", raising=False)
    if request.param == "postgresql":
        monkeypatch.setenv("QA_DATABASE_URL", request.getfixturevalue("postgres_url"))
    return Backend(request.param, workspace)


@pytest.fixture
def store(backend: Backend):
    """The workspace's store, on each backend in turn (so the tests that use it are the store's suite too)."""
    with backend.store() as db:
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
