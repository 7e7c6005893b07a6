"""`make test` runs every test: without Chromium the browser tests fail with the command
that installs it, they are never skipped; and the Makefile installs it before the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_chromium_fails_the_browser_tests_with_the_fix(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/dashboards/test_dashboard_browser.py"],
        cwd=ROOT,
        env={**os.environ, "THREADLINE_CHROMIUM": str(tmp_path / "no-chromium")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "skipped" not in result.stdout.splitlines()[-1]
    assert "apt-get install -y chromium" in result.stdout


def test_make_test_installs_chromium_first() -> None:
    plan = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "apt-get install -y -qq chromium" in plan
    assert plan.index("chromium") < plan.index("pytest")
