"""Fixtures for the dashboard tests: a THREADLINE_HOME with or without a serving snapshot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `dashboards` and `pipelines` import from the repository
    sys.path.insert(0, str(REPO_ROOT))

from dashboard_fixture import build_serving_db  # noqa: E402


@pytest.fixture
def threadline_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty THREADLINE_HOME: no serving snapshot published yet."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("THREADLINE_HOME", str(home))
    return home


@pytest.fixture
def serving_db(threadline_home: Path) -> Path:
    """THREADLINE_HOME with a published serving snapshot; returns the snapshot's path."""
    return build_serving_db(threadline_home / "serving" / "warehouse.duckdb")
