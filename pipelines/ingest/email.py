"""E-mail (.eml files and mbox mailboxes) → raw.email_messages (one row per message).

`landing/email/**/*.eml` (one message a file) and `landing/email/**/*.mbox` (a mailbox
export: Thunderbird, Gmail Takeout, `mutt`, Dovecot), read with the standard library's
`email` package (`policy.default`) and `mailbox.mbox`. For each message:

- threading ids as the headers give them, with their angle brackets: `message_id`,
  `in_reply_to` (the first id of In-Reply-To), `references` (JSON list, in order) and
  `thread_root_id` (the first of References, else In-Reply-To, else the message's own
  id). A message without a Message-ID gets a stable synthetic one,
  `<sha256-prefix@threadline.synthetic>`, hashed from From, To, Cc, Date, Subject and
  the body, so the same message found in two mailboxes gets the same id;
- `from_address`/`from_name`, `to_addresses`/`cc_addresses` (JSON lists of lower-cased
  addresses), `subject` (RFC 2047 decoded) and `sent_at` (the Date header, in UTC);
- `delivered_to`: the addresses of the Delivered-To and X-Original-To headers (JSON
  list, in order): the mailbox the message was delivered to. Whether a message is the
  business's (outbound) or a customer's is decided in dbt (`stg_email__messages`) from
  the inboxes seed, so editing the seed reclassifies mail already ingested;
- `body_text`: the text/plain body, or the text/html body with its tags stripped
  (blockquotes become `> ` lines); `new_text`: `body_text` without quoted history,
  i.e. without `>` lines and without everything from a reply header on ("Il giorno ...
  ha scritto:", "On ... wrote:", "-----Original Message-----", "-----Messaggio
  originale-----", Outlook's "Da: ... Inviato: ..." / "From: ... Sent: ..." block);
- `raw_headers`: every header, as a JSON object from lower-cased name to the list of
  its (decoded) values.

A message that cannot be read (no header fields, no Date header, an unreadable Date) is
quarantined in raw.rejected_records with the reason, its position (`line_no` holds the
message's index in its file, from 1) and its raw text (the first 20,000 characters);
the other messages of the same mailbox load. Text before the first `From ` line of an
mbox is quarantined the same way (index 0). A message found twice is kept twice;
staging keeps one row per `message_id`.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import mailbox
import re
from datetime import UTC, datetime
from email import policy
from email.headerregistry import DateHeader, UnstructuredHeader
from email.message import EmailMessage, Message
from email.parser import BytesParser
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.connectors.csv_exports import RowError
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files

SOURCE = "email"
SUFFIXES = (".eml", ".EML", ".mbox", ".MBOX")
RAW_TEXT_LIMIT = 20_000
SYNTHETIC_DOMAIN = "threadline.synthetic"

DDL = """
create schema if not exists raw;
create table if not exists raw.email_messages (
    file varchar not null,
    message_index bigint not null,
    message_id varchar not null,
    in_reply_to varchar,
    "references" json not null,
    thread_root_id varchar not null,
    subject varchar,
    from_address varchar,
    from_name varchar,
    to_addresses json not null,
    cc_addresses json not null,
    sent_at timestamp not null,
    delivered_to json not null,
    body_text varchar,
    new_text varchar,
    raw_headers json using compression zstd not null,
    ingested_at timestamp not null
);
"""

SCHEMA: dict[str, pl.DataType] = {
    "message_index": pl.Int64(),
    "message_id": pl.String(),
    "in_reply_to": pl.String(),
    "references": pl.String(),
    "thread_root_id": pl.String(),
    "subject": pl.String(),
    "from_address": pl.String(),
    "from_name": pl.String(),
    "to_addresses": pl.String(),
    "cc_addresses": pl.String(),
    "sent_at": pl.Datetime("us"),
    "delivered_to": pl.String(),
    "body_text": pl.String(),
    "new_text": pl.String(),
    "raw_headers": pl.String(),
}

_MSG_ID = re.compile(r"<[^<>\s]+>")
_WHITESPACE = re.compile(r"\s+")


# --- reading files ---------------------------------------------------------------------


def split_messages(path: Path) -> tuple[list[tuple[int, bytes]], list[Rejected]]:
    """The raw messages of a file as (index from 1, bytes), and text that is no message."""
    if not path.name.lower().endswith(".mbox"):
        return [(1, path.read_bytes())], []
    rejects: list[Rejected] = []
    preamble = _mbox_preamble(path)
    if preamble.strip():
        rejects.append(Rejected(0, "text before the first 'From ' line is not an mbox message",
                                _raw_text(preamble.rstrip(b"\r\n"))))
    box = mailbox.mbox(path, create=False)
    try:
        messages = [(index, box.get_bytes(key)) for index, key in enumerate(box.keys(), 1)]
    finally:
        box.close()
    return messages, rejects


def _mbox_preamble(path: Path) -> bytes:
    """What an mbox holds before its first `From ` line (mailbox.mbox skips it)."""
    kept = bytearray()
    with open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"From "):
                break
            if len(kept) < RAW_TEXT_LIMIT * 4:
                kept.extend(line)
    return bytes(kept)


def parse_email_file(path: Path) -> tuple[pl.DataFrame, list[Rejected]]:
    messages, rejects = split_messages(path)
    rows: list[dict[str, Any]] = []
    for index, raw in messages:
        try:
            row = parse_message(raw)
        except RowError as error:
            rejects.append(Rejected(index, str(error), _raw_text(raw)))
            continue
        except Exception as error:  # the email package met something it cannot read
            rejects.append(Rejected(index, f"unparsable message ({type(error).__name__}: "
                                           f"{error})", _raw_text(raw)))
            continue
        rows.append({"message_index": index, **row})
    return pl.DataFrame(rows, schema=SCHEMA), rejects


def _raw_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:RAW_TEXT_LIMIT]


# --- one message -------------------------------------------------------------------------


def parse_message(raw: bytes) -> dict[str, Any]:
    """The row of one message (without its index), or RowError with the reason."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise RowError("not an e-mail message (no header fields)")
    date_text = _raw_header(message, "Date")
    if not date_text:
        raise RowError("no Date header")
    sent_at = parse_date(date_text)

    from_list = _addresses(message, "From")
    from_name, from_address = from_list[0] if from_list else (None, None)
    to_list = [address for _, address in _addresses(message, "To")]
    cc_list = [address for _, address in _addresses(message, "Cc")]
    body = body_text(message)

    in_reply_to = next(iter(_ids(_raw_header(message, "In-Reply-To"))), None)
    references = _ids(_raw_header(message, "References"))
    message_id = _own_id(message) or synthetic_id(message, body)

    delivered = [address for name in ("Delivered-To", "X-Original-To")
                 for _, address in _addresses(message, name)]
    new = strip_quoted(body)
    return {
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references": json.dumps(references),
        "thread_root_id": references[0] if references else (in_reply_to or message_id),
        "subject": _decoded_header(message, "Subject"),
        "from_address": from_address,
        "from_name": from_name or None,
        "to_addresses": json.dumps(to_list),
        "cc_addresses": json.dumps(cc_list),
        "sent_at": sent_at,
        "delivered_to": json.dumps(delivered),
        "body_text": body or None,
        "new_text": new or None,
        "raw_headers": json.dumps(_all_headers(message), ensure_ascii=False),
    }


def parse_date(text: str) -> datetime:
    """A Date header as naive UTC; a date without a zone (or `-0000`) is taken as UTC."""
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise RowError(f"unreadable Date header {text!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _raw_header(message: Message, name: str) -> str | None:
    """The first raw value of a header, unfolded (no decoding, no parsing)."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return _WHITESPACE.sub(" ", str(value)).strip()
    return None


def _decoded(message: Message, name: str, raw_value: str) -> str:
    if _is_plain_text_header(message.policy, name) and _is_plain(raw_value):
        # what the header registry would give back, without its (slow) parse
        return _WHITESPACE.sub(" ", raw_value.rstrip("\r\n"))
    try:
        return _WHITESPACE.sub(" ", str(message.policy.header_fetch_parse(name, raw_value)))
    except Exception:
        return _WHITESPACE.sub(" ", str(raw_value))


@lru_cache(maxsize=1024)
def _is_plain_text_header(header_policy: Any, name: str) -> bool:
    """Headers whose decoded value is their text (not addresses, MIME parameters, ids)."""
    factory = getattr(header_policy, "header_factory", None)
    return factory is not None and issubclass(factory[name], UnstructuredHeader | DateHeader)


def _is_plain(raw_value: Any) -> bool:
    """ASCII text without RFC 2047 encoded words: decoding leaves it as it is."""
    return isinstance(raw_value, str) and raw_value.isascii() and "=?" not in raw_value


def _decoded_header(message: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return _decoded(message, key, value).strip() or None
    return None


def _all_headers(message: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for key, value in message.raw_items():
        headers.setdefault(key.lower(), []).append(_decoded(message, key, value).strip())
    return headers


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) of every address in the named headers."""
    found: list[tuple[str, str]] = []
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() != wanted:
            continue
        try:
            header: Any = message.policy.header_fetch_parse(key, value)  # an AddressHeader
            pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:
            pairs = email.utils.getaddresses([_WHITESPACE.sub(" ", str(value))])
        for display, address in pairs:
            address = (address or "").strip().lower()
            if "@" in address:
                found.append((display.strip(), address))
    return found


def _ids(text: str | None) -> list[str]:
    return _MSG_ID.findall(text or "")


def _own_id(message: Message) -> str | None:
    text = _raw_header(message, "Message-ID")
    if not text:
        return None
    ids = _ids(text)
    if ids:
        return ids[0]
    bare = text.strip().strip("<>").strip()
    return f"<{bare.replace(' ', '')}>" if bare else None


def synthetic_id(message: Message, body: str) -> str:
    """A stable id for a message without Message-ID: its main headers and its text."""
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Date", "Subject"):
        digest.update(f"{name}: {_raw_header(message, name) or ''}\n".encode())
    digest.update(b"\n")
    digest.update(body.strip().encode("utf-8", errors="replace"))
    return f"<{digest.hexdigest()[:32]}@{SYNTHETIC_DOMAIN}>"


# --- the text ----------------------------------------------------------------------------


def body_text(message: Message) -> str:
    """The text/plain body, else the text/html body without tags; '' when neither."""
    if not isinstance(message, EmailMessage):
        return ""
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _normalize_newlines(_content(part))
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_to_text(_content(part))
    return ""


def _content(part: Message) -> str:
    if (part.get_content_charset() or "us-ascii") in ("us-ascii", "ascii"):
        # 8-bit text with no declared charset: UTF-8 if it decodes, else Windows-1252
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and not payload.isascii():
            try:
                return payload.decode("utf-8")
            except UnicodeDecodeError:
                return payload.decode("cp1252", errors="replace")
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AttributeError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode(part.get_content_charset() or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return payload.decode("cp1252", errors="replace")


def _normalize_newlines(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


class _HtmlText(HTMLParser):
    """Visible text of an HTML body, one line per block, blockquotes as `> ` lines."""

    SKIP = {"script", "style", "head", "title"}
    LINE = {"div", "tr", "li", "dt", "dd", "section", "article", "header", "footer",
            "address", "center"}
    PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre",
                 "blockquote", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.depth = 0  # blockquote nesting
        self.line_depth = 0
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            if not "".join(self.current).strip():
                self._blank()
            self._flush()
        elif tag in self.PARAGRAPH:
            self._flush()
            self._blank()
        elif tag in self.LINE:
            self._flush()
        if tag == "blockquote":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag in self.PARAGRAPH or tag in self.LINE:
            self._flush()
        if tag == "blockquote":
            self.depth = max(0, self.depth - 1)
        if tag in self.PARAGRAPH:
            self._blank()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not "".join(self.current).strip():
            self.line_depth = self.depth
        self.current.append(_WHITESPACE.sub(" ", data))

    def _flush(self) -> None:
        line = "".join(self.current).strip()
        self.current.clear()
        if line:
            self.lines.append("> " * self.line_depth + line)

    def _blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


_ATTRIBUTION = re.compile(r"^\s*(?:il|on)\b.*\b(?:ha scritto|wrote)\s*:\s*$",
                          re.IGNORECASE | re.DOTALL)
_ATTRIBUTION_START = re.compile(r"^\s*(?:il|on)\b", re.IGNORECASE)
_WROTE = re.compile(r"\b(?:ha scritto|wrote)\s*:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|messaggio originale|forwarded message|"
    r"messaggio inoltrato)\s*-{2,}\s*$", re.IGNORECASE)
_FORWARD_INTRO = re.compile(r"^\s*(?:begin forwarded message|inizio messaggio inoltrato)\s*:",
                            re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\*?(?:da|from)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_SENT = re.compile(r"^\s*\*?(?:inviato|sent|data|date)\s*:", re.IGNORECASE)
_HEADER_ONE_LINE = re.compile(r"^\s*\*?(?:da|from)\s*:.*\b(?:inviato|sent)\s*:",
                              re.IGNORECASE)
_RULE = re.compile(r"^[\s_\-=*]*$")


def history_start(lines: list[str]) -> int | None:
    """The index of the line where quoted history begins, if any."""
    for i, line in enumerate(lines):
        if (_SEPARATOR.match(line) or _FORWARD_INTRO.match(line)
                or _HEADER_ONE_LINE.match(line)):
            return i
        if _HEADER_FROM.match(line) and any(_HEADER_SENT.match(n) for n in lines[i + 1:i + 4]):
            return i
        if _ATTRIBUTION_START.match(line):
            # Gmail and Apple Mail wrap a long attribution over two or three lines
            for end in range(i, min(i + 3, len(lines))):
                if _ATTRIBUTION.match(" ".join(lines[i:end + 1])):
                    return i
    return None


def _next_is_quote(lines: list[str], i: int) -> bool:
    following = (line for line in lines[i + 1:] if line.strip())
    return next(following, "").lstrip().startswith(">")


def strip_quoted(text: str) -> str:
    """`text` without quoted history: `>` lines and everything from a reply header on.

    An attribution line of another shape ("Mario Rossi ha scritto:") right before quoted
    lines goes with them, but the answers written between the quotes stay.
    """
    lines = text.split("\n")
    start = history_start(lines)
    head = lines if start is None else lines[:start]
    kept = [
        line for i, line in enumerate(head)
        if not line.lstrip().startswith(">")
        and not (_WROTE.search(line) and _next_is_quote(head, i))
    ]
    while kept and _RULE.match(kept[-1]):
        kept.pop()
    return "\n".join(kept).strip()


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.email_messages", DDL,
        parse_email_file, landing_root=landing, suffixes=SUFFIXES,
    )
