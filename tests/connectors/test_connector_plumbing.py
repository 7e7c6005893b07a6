"""The shared pieces: the cursor store, the watermark, retry waits."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from pipelines.connectors.cursors import CursorStore, Watermark
from pipelines.connectors.http import RetryPolicy, retry_after_seconds, send


def test_cursor_store_keeps_every_stream_when_writers_race(tmp_path: Path) -> None:
    store = CursorStore(tmp_path / "state" / "cursors.json")

    def write(stream: str) -> None:
        for n in range(12):
            CursorStore(store.path).put(stream, {"n": n})

    threads = [threading.Thread(target=write, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert json.loads(store.path.read_text()) == {f"s{i}": {"n": 11} for i in range(4)}
    assert not store.path.with_name("cursors.json.part").exists()
    assert store.get("missing") is None


def test_watermark_skips_versions_already_landed_within_the_overlap() -> None:
    mark = Watermark(overlap_ms=1000)
    assert mark.query_from_ms() is None
    mark.note([("a", 10_000), ("b", 10_500), ("c", 8_000)])
    assert mark.query_from_ms() == 9_500 and set(mark.recent) == {"a", "b"}
    assert not mark.is_new("b", 10_500) and mark.is_new("b", 10_600) and mark.is_new("d", 9_600)
    again = Watermark.from_json(json.loads(json.dumps(mark.to_json())), 1000)
    assert again == mark


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def answer(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after_seconds(answer("2.5")) == 2.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after_seconds(answer(later)) or 0) <= 30
    assert retry_after_seconds(answer("soon")) is None
    assert retry_after_seconds(httpx.Response(429)) is None


def test_connection_failures_are_retried_then_raised() -> None:
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002,
                         sleep=waits.append)
    with httpx.Client() as client, pytest.raises(httpx.ConnectError):
        send(client, "GET", "http://127.0.0.1:9/nothing-listens-here", policy=policy)
    assert len(waits) == 2
