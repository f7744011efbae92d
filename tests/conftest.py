"""Shared fixtures: a workspace in tmp_path with the shipped form specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.spec import Catalogue
from pipeline.store import Store
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
