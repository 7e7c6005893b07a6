"""Shared fixtures: every test gets its own THREADLINE_HOME in a temporary folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelines.settings import Paths, paths

# ../shared beside the clone (as in CI), or wherever THREADLINE_SHARED_DIR says
SHARED = Path(os.environ.get("THREADLINE_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
FIXTURES = SHARED / "fixtures" / "whatsapp-cloud-api"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.setenv("THREADLINE_HOME", str(tmp_path / "home"))
    return paths(tmp_path / "home").ensure()


def fixture_cases(name: str) -> dict[str, dict]:
    """The named cases of one file of ../shared/fixtures/whatsapp-cloud-api/."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
