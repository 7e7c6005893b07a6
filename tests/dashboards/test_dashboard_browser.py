"""The served dashboard in a real Chromium: charts render, KPIs show, no exception boxes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_fixture import APP_PATH

# Debian's Chromium (THREADLINE_CHROMIUM points elsewhere); `make test` installs it
CHROMIUM = Path(os.environ.get("THREADLINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STARTUP_SECONDS = 90
RENDER_MS = 60_000
COLD_SESSION_MS = 120_000
KPIS = {
    "Median first response": "12.5 min",
    "P90 first response": "78 min",
    "Answered within 1 h": "70.0%",
    "Audience": "10",
}

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def chromium_is_installed() -> None:
    """A missing browser fails the test (never a silent skip): the README's test command
    runs every test."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is not installed at {CHROMIUM}: run `make test` (it installs it as root) "
            "or `sudo apt-get install -y chromium`",
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        raise TimeoutError(f"streamlit did not answer on {url} within {STARTUP_SECONDS} s")
    # Streamlit 1.67's server (starlette) answers its health check before its first page:
    # four browsers that ask for that first page at once all stall, for good (reproduced
    # in a fresh clone; see the issue-11 note). The page is asked for once first.
    with urllib.request.urlopen(f"{url}/", timeout=STARTUP_SECONDS) as response:
        response.read()


@pytest.fixture
def dashboard_url(serving_db: Path, tmp_path: Path) -> Iterator[str]:
    """`python -m dashboards.serve` (as `make dashboard`) on a free loopback port, stopped
    afterwards; the server's log must have no traceback."""
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "dashboards.serve",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=APP_PATH.parent.parent,
        env={**os.environ, "THREADLINE_HOME": str(serving_db.parent.parent)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    logged = (tmp_path / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in logged and "Error" not in logged, logged[-4000:]


def test_dashboard_renders_charts_and_kpis(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2600})
            page.goto(dashboard_url, wait_until="domcontentloaded")

            charts = page.locator(".vega-embed canvas, .vega-embed svg.marks")
            page.wait_for_function(
                "() => document.querySelectorAll("
                "'.vega-embed canvas, .vega-embed svg.marks').length >= 3",
                timeout=RENDER_MS,
            )
            metrics = page.get_by_test_id("stMetric")
            for label, value in KPIS.items():
                tile = metrics.filter(has_text=label).first
                expect(tile).to_be_visible()
                expect(tile).to_contain_text(value)
            page.wait_for_timeout(500)  # let the last charts finish drawing
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

            assert charts.count() >= 3
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()


def test_a_cold_server_serves_several_first_sessions_without_errors(dashboard_url: str) -> None:
    """Four browser sessions open at once on a server that has rendered nothing yet: each
    renders its KPIs, and the server logs no traceback (checked by the fixture)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # four readers, four browsers: pages of one Chromium share its per-host connection
        # pool (6), which four pages' long-lived Streamlit requests may fill (the suspected
        # cause of stalls seen only on fresh clones, where the server was idle)
        browsers = [
            playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS) for _ in range(4)
        ]
        try:
            pages = [browser.new_page() for browser in browsers]
            for page in pages:
                page.goto(dashboard_url, wait_until="commit")
            # Four Chromium pages parse Streamlit's bundle and draw their charts on the same two
            # cores as the server (about 7 s each here, measured): this test is about errors,
            # not speed. A page that stays blank is reloaded once, as a reader would, and
            # must then render.
            reloaded = 0
            for page in pages:
                try:
                    page.get_by_test_id("stMetric").first.wait_for(timeout=COLD_SESSION_MS)
                except PlaywrightTimeoutError:
                    reloaded += 1
                    page.reload(wait_until="commit")
                    page.get_by_test_id("stMetric").first.wait_for(timeout=COLD_SESSION_MS)
                assert page.locator('[data-testid="stException"]').count() == 0
            assert reloaded <= 1, f"{reloaded} of 4 first sessions needed a reload"
        finally:
            for browser in browsers:
                browser.close()
