"""Shared fixtures: every test gets its own THREADLINE_HOME in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.settings import Paths, paths

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "whatsapp-cloud-api"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.setenv("THREADLINE_HOME", str(tmp_path / "home"))
    return paths(tmp_path / "home").ensure()


def fixture_cases(name: str) -> dict[str, dict]:
    """The named cases of one file of ../shared/fixtures/whatsapp-cloud-api/."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
