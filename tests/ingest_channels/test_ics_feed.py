"""The ICS feed connector against a real HTTP server on loopback, then ingest."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from pipelines.connectors import ics_feed
from pipelines.connectors.env import MissingCredentialError
from pipelines.connectors.http import ApiError, RetryPolicy
from pipelines.ingest import calendar
from pipelines.settings import Paths

SECRET_PATH = "/calendar/ical/studio%40example/private-s3cr3tt0ken/basic.ics"


def _ics(*summaries: str) -> bytes:
    events = [
        f"BEGIN:VEVENT\r\nUID:ev-{n}@feed\r\nDTSTART:2026030{n + 1}T090000Z\r\n"
        f"DTEND:2026030{n + 1}T093000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
        for n, summary in enumerate(summaries)
    ]
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Palestra\r\n" + "".join(events)
            + "END:VCALENDAR\r\n").encode()


@dataclass
class FakeFeed:
    """A calendar server: serves `body` with an ETag (when `etag` is set), answers 304 to a
    matching If-None-Match, fails the next `failures` requests with 503."""

    body: bytes
    content_type: str = "text/calendar; charset=utf-8"
    etag: str | None = '"v1"'
    failures: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""

    def url(self, path: str = SECRET_PATH) -> str:
        return self.base_url + path


@pytest.fixture
def feed() -> Iterator[FakeFeed]:
    fake = FakeFeed(_ics("Spinning"))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            fake.requests.append({k.lower(): v for k, v in self.headers.items()})
            if fake.failures > 0:
                fake.failures -= 1
                self._answer(503, b"busy", {"Retry-After": "0"})
            elif fake.etag and self.headers.get("If-None-Match") == fake.etag:
                self._answer(304, b"", {"ETag": fake.etag})
            else:
                headers = {"Content-Type": fake.content_type}
                if fake.etag:
                    headers["ETag"] = fake.etag
                self._answer(200, fake.body, headers)

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fast() -> RetryPolicy:
    return RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002,
                       sleep=lambda seconds: None)


def _landed(home: Paths) -> list[Path]:
    return sorted((home.landing / "calendar").rglob("*"))


def test_the_feed_lands_only_when_it_changes_and_ingest_loads_each_version(
    home: Paths, con: duckdb.DuckDBPyConnection, feed: FakeFeed, fast: RetryPolicy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ics_feed.URL_ENV, feed.url())

    first = ics_feed.sync(home, policy=fast)
    files = [p for p in _landed(home) if p.is_file()]
    assert (first["files"], first["not_modified"]) == (1, 0)
    assert len(files) == 1 and files[0].name.startswith("feed-") and files[0].suffix == ".ics"
    assert files[0].read_bytes() == feed.body
    assert files[0].parent.parent == home.landing / "calendar"
    assert "if-none-match" not in feed.requests[0]

    second = ics_feed.sync(home, policy=fast)  # conditional: 304
    assert (second["files"], second["not_modified"]) == (0, 1)
    assert feed.requests[1]["if-none-match"] == '"v1"'

    feed.body, feed.etag = _ics("Spinning", "Pilates"), None  # changed, and no ETag any more
    third = ics_feed.sync(home, policy=fast)
    fourth = ics_feed.sync(home, policy=fast)  # same bytes again: nothing lands
    assert (third["files"], fourth["files"], fourth["unchanged"]) == (1, 0, 1)
    assert len([p for p in _landed(home) if p.is_file()]) == 2
    assert not [p for p in _landed(home) if p.name.endswith(".part")]

    state_text = (home.state / "ics_feed.json").read_text(encoding="utf-8")
    assert "s3cr3t" not in state_text and "127.0.0.1" not in state_text
    assert not (home.state / "cursors.json").exists()  # its own file, not the shared one
    [entry] = json.loads(state_text).values()
    assert entry["sha256"] and entry["etag"] is None

    result = calendar.ingest(con, home.landing)
    again = calendar.ingest(con, home.landing)
    rows = con.execute("select uid, summary, calendar_name from raw.appointments").fetchall()
    assert (result.files, result.rejected, again.files) == (2, 0, 0)
    assert sorted(rows) == [("ev-0@feed", "Spinning", "Palestra"),
                            ("ev-0@feed", "Spinning", "Palestra"),
                            ("ev-1@feed", "Pilates", "Palestra")]


def test_a_busy_server_is_retried(home: Paths, feed: FakeFeed, fast: RetryPolicy) -> None:
    feed.failures = 2
    counts = ics_feed.sync(home, url=feed.url(), policy=fast)
    assert counts["files"] == 1 and len(feed.requests) == 3


def test_a_feed_that_keeps_failing_raises_and_lands_nothing(
    home: Paths, feed: FakeFeed, fast: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    feed.failures = 10
    with pytest.raises(ApiError) as error:
        ics_feed.sync(home, url=feed.url(), policy=fast)
    assert str(error.value) == ("GET calendar feed on 127.0.0.1 answered HTTP 503: "
                                "Service Unavailable")
    assert "s3cr3t" not in caplog.text  # the feed's path is a credential: never logged
    assert "retrying" in caplog.text and "/<path redacted>" in caplog.text
    assert _landed(home) == []


def test_a_body_that_is_not_icalendar_is_refused(
    home: Paths, feed: FakeFeed, fast: RetryPolicy
) -> None:
    feed.body, feed.content_type = b"<html><body>Accedi</body></html>", "text/html"
    with pytest.raises(ics_feed.IcsFeedError, match="text/html, not an iCalendar body"):
        ics_feed.sync(home, url=feed.url(), policy=fast)
    assert _landed(home) == []
    assert not (home.state / "ics_feed.json").exists()


def test_basic_auth_comes_from_the_environment(
    home: Paths, feed: FakeFeed, fast: RetryPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ics_feed.USERNAME_ENV, "studio")
    monkeypatch.setenv(ics_feed.PASSWORD_ENV, "pw")
    ics_feed.sync(home, url=feed.url("/remote.php/dav/calendars/studio/agenda?export"),
                  policy=fast)
    expected = "Basic " + base64.b64encode(b"studio:pw").decode()
    assert feed.requests[0]["authorization"] == expected


def test_the_url_is_required_and_webcal_means_https(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ics_feed.URL_ENV, raising=False)
    with pytest.raises(MissingCredentialError, match=ics_feed.URL_ENV):
        ics_feed.sync(home)
    assert ics_feed.feed_url("webcal://p01-caldav.example.com/published/2/abc") == (
        "https://p01-caldav.example.com/published/2/abc")
    with pytest.raises(ValueError):
        ics_feed.feed_url("ftp://example.com/cal.ics")
