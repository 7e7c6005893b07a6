"""The group-commit appender on real files, in-process: batching, rotation, recovery."""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

import pytest
from receiver_harness import landed_lines

from pipelines.landing import landed_files
from pipelines.receiver.durable_log import (
    DurableLog,
    LogClosed,
    Overloaded,
    WriteFailed,
    recover_partials,
)


def test_concurrent_appends_share_fsyncs(tmp_path: Path) -> None:
    async def scenario() -> DurableLog:
        log = DurableLog(tmp_path)
        log.start()
        lines = [b'{"n":%d}\n' % n for n in range(400)]
        await asyncio.gather(*(log.append("whatsapp", line) for line in lines))
        # every future completed: all 400 lines are on disk before close()
        assert sorted(landed_lines(tmp_path / "whatsapp")) == sorted(x[:-1] for x in lines)
        await log.close()
        return log

    log = asyncio.run(scenario())
    assert log.stats.bodies == 400
    assert log.stats.batch_fsyncs < 400 / 4, "group commit: many bodies per fsync"
    assert len(landed_files(tmp_path / "whatsapp")) == 1
    assert not list(tmp_path.rglob("*.part"))


def test_sources_get_their_own_files_and_rotate_by_size(tmp_path: Path) -> None:
    async def scenario() -> DurableLog:
        log = DurableLog(tmp_path, rotate_bytes=40)
        log.start()
        for n in range(20):
            await log.append("whatsapp" if n % 2 else "chatwoot", b'{"n":%d}\n' % n)
        await log.close()
        return log

    log = asyncio.run(scenario())
    for source in ("whatsapp", "chatwoot"):
        files = landed_files(tmp_path / source)
        assert len(files) >= 2
        assert len(landed_lines(tmp_path / source)) == 10
    assert log.stats.files_completed == len(landed_files(tmp_path))


def test_append_after_close_and_over_the_queue_limit_is_refused(tmp_path: Path) -> None:
    async def scenario() -> None:
        log = DurableLog(tmp_path, max_pending_bytes=10)
        log.start()
        first = log.append("whatsapp", b"x" * 8 + b"\n")
        with pytest.raises(Overloaded):  # the writer has not taken the first line yet
            log.append("whatsapp", b"y" * 8 + b"\n")
        await first
        await log.close()
        with pytest.raises(LogClosed):
            log.append("whatsapp", b"{}\n")

    asyncio.run(scenario())


def test_recovery_drops_partial_lines_and_skips_live_files(tmp_path: Path) -> None:
    day = tmp_path / "whatsapp" / "2025-06-02"
    day.mkdir(parents=True)
    (day / "recv-h-1-x-000001.jsonl.part").write_bytes(b'{"a":1}\n{"b":2}\n{"c":')
    (day / "recv-h-1-x-000002.jsonl.part").write_bytes(b"")
    (day / "recv-h-1-x-000003.jsonl.part").write_bytes(b'{"whole":true}\n')
    live = day / "recv-h-2-x-000001.jsonl.part"
    live.write_bytes(b'{"being":"written"')
    holder = os.open(live, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a running receiver holds its open file
    try:
        report = recover_partials(tmp_path, ["whatsapp", "chatwoot"])
    finally:
        os.close(holder)
    assert (report.files, report.removed_empty, report.skipped_live) == (2, 1, 1)
    assert report.dropped_bytes == len(b'{"c":')
    assert (day / "recv-h-1-x-000001.jsonl").read_bytes() == b'{"a":1}\n{"b":2}\n'
    assert (day / "recv-h-1-x-000003.jsonl").read_bytes() == b'{"whole":true}\n'
    assert not (day / "recv-h-1-x-000002.jsonl.part").exists()
    assert live.read_bytes() == b'{"being":"written"'


def test_a_long_partial_tail_is_found_across_read_chunks(tmp_path: Path) -> None:
    day = tmp_path / "chatwoot" / "2025-06-02"
    day.mkdir(parents=True)
    part = day / "recv-h-1-x-000001.jsonl.part"
    part.write_bytes(b'{"ok":1}\n' + b"z" * 200_000)
    assert recover_partials(tmp_path, ["chatwoot"]).dropped_bytes == 200_000
    assert (day / "recv-h-1-x-000001.jsonl").read_bytes() == b'{"ok":1}\n'


def test_a_failed_write_fails_its_bodies_only(tmp_path: Path) -> None:
    (tmp_path / "whatsapp").write_text("a file where a folder should be")

    async def scenario() -> DurableLog:
        log = DurableLog(tmp_path)
        log.start()
        with pytest.raises(WriteFailed):
            await log.append("whatsapp", b"{}\n")
        await log.append("chatwoot", b'{"event":"x"}\n')
        await log.close()
        return log

    log = asyncio.run(scenario())
    assert (log.stats.write_errors, log.stats.bodies) == (1, 1)
    assert landed_lines(tmp_path / "chatwoot") == [b'{"event":"x"}']
