"""Group-commit appender: landing lines on disk, fsynced, before anyone is told "stored".

Requests hand a complete line to `DurableLog.append` and await the future it returns.
One writer thread takes everything queued so far (a batch), writes it to the current
`.jsonl.part` file of each source, fsyncs each touched file once, then completes every
future of the batch. While it waits on the disk the next batch builds up, so the number
of fsyncs follows the disk's speed, not the request rate.

Files: `<landing>/<source>/<YYYY-MM-DD (UTC)>/recv-<host>-<pid>-<start>-<seq>.jsonl.part`,
created and then renamed to `.jsonl` after `rotate_seconds` (from its first line) or
`rotate_bytes`, at a change of UTC day, and at shutdown. Each rename and each new file or
folder is followed by an fsync of its folder. A file being written holds an exclusive
`flock`, so `recover_partials` (run at start) completes only the `.part` files of dead
receivers: it drops a trailing partial line (it was never acknowledged) and renames them.
"""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.landing import LANDED_SUFFIX, PARTIAL_SUFFIX

LOG = logging.getLogger("threadline.receiver")
FILE_PREFIX = "recv-"
_SCAN_CHUNK = 1 << 16


class Overloaded(Exception):
    """More bytes wait for the disk than the receiver agreed to hold: answer 503."""


class LogClosed(Exception):
    """The receiver is shutting down (or its writer died): answer 503."""


class WriteFailed(Exception):
    """Writing or fsyncing failed: the body is not stored, answer 500 (Meta retries)."""


@dataclass
class LogStats:
    bodies: int = 0
    bytes: int = 0
    batch_fsyncs: int = 0  # one per source per batch: these acknowledge bodies
    other_fsyncs: int = 0  # folders, rotations
    files_completed: int = 0
    write_errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _OpenFile:
    part: Path
    final: Path
    fd: int
    day: str
    opened_at: float
    size: int = 0


Pending = tuple[str, bytes, "asyncio.Future[None]"]


def writer_id() -> str:
    """`<host>-<pid>-<UTC start>`: unique per process, readable in a listing."""
    host = re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"


def utc_day() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _settle(futures: list[asyncio.Future[None]], error: str | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(WriteFailed(error))


class DurableLog:
    """Append lines per source with group commit; see the module docstring."""

    def __init__(
        self,
        landing: Path,
        *,
        rotate_seconds: float = 10.0,
        rotate_bytes: int = 64 * 1024 * 1024,
        max_pending_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.landing = landing
        self.rotate_seconds = rotate_seconds
        self.rotate_bytes = rotate_bytes
        self.max_pending_bytes = max_pending_bytes
        self.stats = LogStats()
        self._writer = writer_id()
        self._seq = itertools.count(1)
        self._cond = threading.Condition()
        self._pending: list[Pending] = []
        self._pending_bytes = 0
        self._closing = False
        self._files: dict[str, _OpenFile] = {}  # touched by the writer thread only
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- event-loop side -------------------------------------------------------------

    def start(self) -> None:
        """Start the writer thread; call from the event loop that will await appends."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="landing-writer", daemon=True)
        self._thread.start()

    def append(self, source: str, line: bytes) -> asyncio.Future[None]:
        """Queue one line (ending in b"\\n"); the future completes once it is fsynced."""
        if self._loop is None:
            raise LogClosed("the landing writer is not running")
        future: asyncio.Future[None] = self._loop.create_future()
        with self._cond:
            if self._closing:
                raise LogClosed("the receiver is shutting down")
            if self._pending and self._pending_bytes + len(line) > self.max_pending_bytes:
                raise Overloaded(f"{self._pending_bytes} bytes wait for the disk")
            self._pending.append((source, line, future))
            self._pending_bytes += len(line)
            self._cond.notify()
        return future

    async def close(self) -> None:
        """Write what is queued, complete (rename) every open file, stop the writer."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    # -- writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        batch: list[Pending] = []
        try:
            while True:
                with self._cond:
                    while not self._pending and not self._closing:
                        wait = self._seconds_to_rotation()
                        if wait is not None and wait <= 0:
                            break
                        self._cond.wait(wait)
                    batch, self._pending, self._pending_bytes = self._pending, [], 0
                    closing = self._closing
                if batch:
                    self._commit(batch)
                self._rotate_due()
                if closing:  # append() refuses once closing is set: nothing can follow
                    break
        except BaseException:
            LOG.critical("landing writer stopped unexpectedly", exc_info=True)
            with self._cond:  # fail the batch in hand (settled ones stay) and the queue
                self._closing = True
                batch, self._pending = batch + self._pending, []
            self._resolve([future for _, _, future in batch], "landing writer stopped")
            raise
        finally:
            for source in list(self._files):
                self._complete_logged(source)

    def _seconds_to_rotation(self) -> float | None:
        if not self._files:
            return None
        oldest = min(f.opened_at for f in self._files.values())
        return oldest + self.rotate_seconds - time.monotonic()

    def _commit(self, batch: list[Pending]) -> None:
        by_source: dict[str, tuple[list[bytes], list[asyncio.Future[None]]]] = {}
        for source, line, future in batch:
            lines, futures = by_source.setdefault(source, ([], []))
            lines.append(line)
            futures.append(future)
        for source, (lines, futures) in by_source.items():
            error: str | None = None
            try:
                self._write(source, b"".join(lines))
                self.stats.bodies += len(lines)
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc.strerror or exc}"
                self.stats.write_errors += 1
                LOG.error("landing write failed for %s (%d bodies refused): %s",
                          source, len(lines), error)
                self._abandon(source)
            self._resolve(futures, error)

    def _write(self, source: str, data: bytes) -> None:
        current = self._file_for(source)
        _write_all(current.fd, data)
        os.fsync(current.fd)
        current.size += len(data)
        self.stats.bytes += len(data)
        self.stats.batch_fsyncs += 1

    def _resolve(self, futures: list[asyncio.Future[None]], error: str | None) -> None:
        if self._loop is None or not futures:
            return
        try:
            self._loop.call_soon_threadsafe(_settle, futures, error)
        except RuntimeError:  # the loop is already closed: nobody is waiting any more
            pass

    def _file_for(self, source: str) -> _OpenFile:
        current = self._files.get(source)
        day = utc_day()
        if current is not None and current.day != day:
            self._complete_logged(source)
            current = None
        if current is None:
            current = self._open(source, day)
            self._files[source] = current
        return current

    def _open(self, source: str, day: str) -> _OpenFile:
        folder = self.landing / source / day
        self._make_dirs(folder)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        while True:
            stem = f"{FILE_PREFIX}{self._writer}-{next(self._seq):06d}"
            part, final = folder / (stem + PARTIAL_SUFFIX), folder / (stem + LANDED_SUFFIX)
            if final.exists():
                continue
            try:
                fd = os.open(part, flags, 0o644)
            except FileExistsError:
                continue
            break
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # tells recovery this file is live
        self._fsync_dir(folder)  # the new name itself must survive a crash
        return _OpenFile(part, final, fd, day, time.monotonic())

    def _make_dirs(self, folder: Path) -> None:
        missing: list[Path] = []
        probe = folder
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        for created in reversed(missing):
            created.mkdir(exist_ok=True)
            self._fsync_dir(created.parent)

    def _fsync_dir(self, folder: Path) -> None:
        fsync_dir(folder)
        self.stats.other_fsyncs += 1

    def _rotate_due(self) -> None:
        now, day = time.monotonic(), utc_day()
        for source, current in list(self._files.items()):
            if (
                current.size >= self.rotate_bytes
                or now - current.opened_at >= self.rotate_seconds
                or current.day != day
            ):
                self._complete_logged(source)

    def _complete_logged(self, source: str) -> None:
        try:
            self._complete(source)
        except OSError:
            LOG.error("could not complete a landing file of %s; it stays .part until the "
                      "next start recovers it", source, exc_info=True)

    def _complete(self, source: str) -> None:
        """fsync, rename .part -> .jsonl (holding the lock), fsync the folder, close."""
        current = self._files.pop(source)
        try:
            if current.size == 0:
                os.unlink(current.part)
            else:
                os.fsync(current.fd)
                self.stats.other_fsyncs += 1
                os.rename(current.part, current.final)
                self.stats.files_completed += 1
            self._fsync_dir(current.part.parent)
        finally:
            os.close(current.fd)

    def _abandon(self, source: str) -> None:
        """After a failed write: cut what this batch wrote, then retire the file."""
        current = self._files.get(source)
        if current is None:
            return
        try:
            os.ftruncate(current.fd, current.size)
        except OSError:
            LOG.error("could not truncate %s after a failed write", current.part.name)
        self._complete_logged(source)


# -- start-up recovery -------------------------------------------------------------------


@dataclass
class Recovered:
    files: int = 0
    dropped_bytes: int = 0
    removed_empty: int = 0
    skipped_live: int = 0


def complete_prefix(fd: int, size: int) -> int:
    """Length of the file up to and including its last newline (0 if it has none)."""
    end = size
    while end > 0:
        start = max(0, end - _SCAN_CHUNK)
        chunk = os.pread(fd, end - start, start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        end = start
    return 0


def recover_partials(landing: Path, sources: Iterable[str]) -> Recovered:
    """Complete the `.part` files that dead receivers left under `landing/<source>/`."""
    report = Recovered()
    for source in sources:
        for part in sorted((landing / source).glob(f"*/{FILE_PREFIX}*{PARTIAL_SUFFIX}")):
            _recover_one(part, report)
    return report


def _recover_one(part: Path, report: Recovered) -> None:
    final = part.with_name(part.name[: -len(PARTIAL_SUFFIX)] + LANDED_SUFFIX)
    fd = os.open(part, os.O_RDWR | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report.skipped_live += 1  # a running receiver is writing it
            return
        size = os.fstat(fd).st_size
        keep = complete_prefix(fd, size)
        if keep < size:
            os.ftruncate(fd, keep)
            report.dropped_bytes += size - keep
        if keep == 0:
            os.unlink(part)
            fsync_dir(part.parent)
            report.removed_empty += 1
            return
        if final.exists():
            LOG.error("not recovering %s: %s already exists", part.name, final.name)
            return
        os.fsync(fd)
        os.rename(part, final)
        fsync_dir(part.parent)
        report.files += 1
    finally:
        os.close(fd)
