"""Rewriting files record by record without the records that name a person.

`scrub(path, mentions)` drops every record of `path` for which `mentions(bytes)` is true
and keeps the others byte for byte: JSON Lines and text logs by line, CSV by record
(quoted fields spanning lines kept whole, the header kept), mbox by message, `.eml` and
`.json` documents whole (a JSON array, or an object's arrays, by element), iCalendar by
VEVENT (folded lines unfolded before matching), Parquet by row. Compressed files
(`.gz`, `.zst`, `.zip`) are decompressed, scrubbed by the name inside and compressed
again. Every rewrite is atomic: a temporary file beside the original, fsynced, renamed
over it, the folder fsynced. A file left with no record is deleted.
"""

from __future__ import annotations

import email
import email.policy
import gzip
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import zstandard

Mentions = Callable[[bytes], bool]
TEMP_SUFFIX = ".erasing"


@dataclass
class Scrubbed:
    kept: int = 0
    dropped: int = 0

    def __iadd__(self, other: Scrubbed) -> Scrubbed:
        self.kept += other.kept
        self.dropped += other.dropped
        return self


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + TEMP_SUFFIX)
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _lines(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    out, result = [], Scrubbed()
    for line in data.splitlines(keepends=True):
        if line.strip() and mentions(line):
            result.dropped += 1
            continue
        result.kept += bool(line.strip())
        out.append(line)
    return b"".join(out), result


def _csv_records(data: bytes) -> list[bytes]:
    """Lines joined while a quoted field is open (an odd number of quotes so far)."""
    records, current, quotes = [], [], 0
    for line in data.splitlines(keepends=True):
        current.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            records.append(b"".join(current))
            current, quotes = [], 0
    if current:
        records.append(b"".join(current))
    return records


def _csv(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    for bom, codec in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):  # a UTF-16 export: scrubbed as UTF-8, written back as it was
            text, result = _csv(data.decode(codec).encode("utf-8"), mentions)
            return text.decode("utf-8").encode(codec), result
    records = _csv_records(data)
    if not records:
        return data, Scrubbed()
    header, rows = records[0], records[1:]
    kept = [row for row in rows if not (row.strip() and mentions(row))]
    result = Scrubbed(sum(1 for r in kept if r.strip()), len(rows) - len(kept))
    return header + b"".join(kept), result


def _message_text(raw: bytes) -> bytes:
    """A message's bytes plus its decoded text parts (base64 / quoted-printable bodies)."""
    parts = [raw]
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content().encode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - an unreadable message is matched on its bytes
        pass
    return b"\n".join(parts)


_MBOX_FROM = re.compile(rb"^From ", re.MULTILINE)


def _mbox(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    starts = [m.start() for m in _MBOX_FROM.finditer(data)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    chunks = [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]
    kept = [chunk for chunk in chunks if not mentions(_message_text(chunk))]
    return b"".join(kept), Scrubbed(len(kept), len(chunks) - len(kept))


def _eml(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    if mentions(_message_text(data)):
        return b"", Scrubbed(0, 1)
    return data, Scrubbed(1, 0)


_VEVENT = re.compile(rb"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n?", re.DOTALL)
_FOLD = re.compile(rb"\r?\n[ \t]")


def _ics(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    result = Scrubbed()

    def keep(match: re.Match[bytes]) -> bytes:
        if mentions(_FOLD.sub(b"", match.group(0))):
            result.dropped += 1
            return b""
        result.kept += 1
        return match.group(0)

    return _VEVENT.sub(keep, data), result


def _json(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    if not mentions(data):
        return data, Scrubbed(1, 0)
    document = json.loads(data)
    result = Scrubbed()

    def filtered(items: list) -> list:
        kept = [item for item in items if not mentions(json.dumps(item, ensure_ascii=False).encode())]
        result.kept += len(kept)
        result.dropped += len(items) - len(kept)
        return kept

    if isinstance(document, list):
        document = filtered(document)
    elif isinstance(document, dict):
        document = {k: filtered(v) if isinstance(v, list) else v for k, v in document.items()}
    text = json.dumps(document, ensure_ascii=False).encode()
    if mentions(text):  # named outside any list: the whole document goes
        return b"", Scrubbed(0, result.kept + result.dropped or 1)
    return text, result


def _parquet(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    frame = pl.read_parquet(io.BytesIO(data))
    keep = [not mentions(json.dumps(row, ensure_ascii=False, default=str).encode())
            for row in frame.iter_rows(named=True)]
    result = Scrubbed(sum(keep), len(keep) - sum(keep))
    if not result.dropped:
        return data, result
    out = io.BytesIO()
    frame.filter(pl.Series(keep)).write_parquet(out)
    return out.getvalue(), result


def _zip(data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    result = Scrubbed()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            inner, scrubbed = scrub_bytes(info.filename, source.read(info), mentions)
            result += scrubbed
            if inner or not scrubbed.dropped:
                target.writestr(info, inner)
    return out.getvalue(), result


def _gzip(data: bytes, mentions: Mentions, name: str) -> tuple[bytes, Scrubbed]:
    inner, result = scrub_bytes(name, gzip.decompress(data), mentions)
    return (gzip.compress(inner, mtime=0) if result.dropped else data), result


def _zstd(data: bytes, mentions: Mentions, name: str) -> tuple[bytes, Scrubbed]:
    inner, result = scrub_bytes(name, zstandard.ZstdDecompressor().decompressobj().decompress(data), mentions)
    return (zstandard.ZstdCompressor().compress(inner) if result.dropped else data), result


def scrub_bytes(name: str, data: bytes, mentions: Mentions) -> tuple[bytes, Scrubbed]:
    """`data` (the content of a file called `name`) without the records that mention."""
    lower = name.lower()
    for suffix, unpack in ((".gz", _gzip), (".zst", _zstd)):
        if lower.endswith(suffix):
            return unpack(data, mentions, name[: -len(suffix)])
    by_suffix: dict[str, Callable[[bytes, Mentions], tuple[bytes, Scrubbed]]] = {
        ".zip": _zip, ".csv": _csv, ".mbox": _mbox, ".eml": _eml, ".ics": _ics,
        ".json": _json, ".parquet": _parquet,
    }
    for suffix, scrubber in by_suffix.items():
        if lower.endswith(suffix):
            return scrubber(data, mentions)
    return _lines(data, mentions)  # .jsonl, .jsonl.part, logs and any other text


def scrub(path: Path, mentions: Mentions) -> Scrubbed:
    """Rewrite `path` without the records that mention the person (deleted if none is left)."""
    data = path.read_bytes()
    cleaned, result = scrub_bytes(path.name, data, mentions)
    if not result.dropped:
        return result
    if result.kept == 0 and not cleaned.strip(b"\r\n"):
        path.unlink()
        fsync_folder(path.parent)
    else:
        write_atomically(path, cleaned)
    return result


def unpack(name: str, data: bytes) -> bytes:
    """The content of a file called `name`, decompressed where compressed (a zip's
    members joined), for searching."""
    lower = name.lower()
    if lower.endswith(".gz"):
        return unpack(name[:-3], gzip.decompress(data))
    if lower.endswith(".zst"):
        return unpack(name[:-4], zstandard.ZstdDecompressor().decompressobj().decompress(data))
    if lower.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(unpack(info.filename, archive.read(info)) for info in archive.infolist())
    return data
