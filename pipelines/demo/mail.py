"""E-mail between customers and a business, written as mbox files (RFC 5322 messages built
with `email.message.EmailMessage`, stored with `mailbox.mbox`).

A thread is a customer message and the replies that follow it, linked the standard way
(`Message-ID`, `In-Reply-To`, `References`); each reply quotes the message it answers the way
Gmail does in Italian ("Il giorno lun 3 nov 2026 alle 10:12 Mario Rossi <...> ha scritto:"
then `> ` lines). The business writes from its inboxes.csv address. Some customer messages
are HTML only. Everything is deterministic: ids come from the seeded stream and the mbox
`From ` line carries the message's own date.
"""

from __future__ import annotations

import base64
import html
import mailbox
import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from itertools import groupby
from pathlib import Path

from .hours import DAY, local, rome_offset, utc_day

DAYS_SHORT = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
MONTHS_SHORT = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")
PER_FILE = 6  # a handful of messages per mbox file


@dataclass(slots=True)
class Mail:
    ts: int
    sender: tuple[str, str]  # (display name, address)
    to: tuple[str, str]
    subject: str
    body: str  # plain text, quotes included
    message_id: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    html_only: bool = False
    reply_to: tuple[str, str] | None = None
    automated: bool = False


def message_id(rng: random.Random, address: str, ts: int) -> str:
    domain = address.rsplit("@", 1)[-1].strip().lower()
    if domain == "gmail.com":
        blob = base64.b64encode(rng.randbytes(33)).decode().replace("/", "_")
        return f"<CA{blob}@mail.gmail.com>"
    stamp = datetime.fromtimestamp(ts, UTC).strftime("%Y%m%d%H%M%S")
    return f"<{stamp}.{rng.getrandbits(48):012x}@{domain}>"


def attribution(ts: int, name: str, address: str) -> str:
    moment = local(ts)
    who = f"{name} <{address}>" if name else f"<{address}>"
    return (
        f"Il giorno {DAYS_SHORT[moment.weekday()]} {moment.day} {MONTHS_SHORT[moment.month - 1]} "
        f"{moment.year} alle {moment:%H:%M} {who} ha scritto:"
    )


def quoted(previous: Mail) -> str:
    lines = previous.body.splitlines()
    quote = "\n".join("> " + line if line else ">" for line in lines)
    return f"{attribution(previous.ts, *previous.sender)}\n{quote}"


def _html(body: str) -> str:
    """A Gmail-like HTML rendering of a plain body (quotes as a blockquote)."""
    own, _, rest = body.partition("\nIl giorno ")
    own_html = "<br>".join(html.escape(line) for line in own.splitlines())
    out = f'<div dir="ltr">{own_html}</div>'
    if rest:
        attr, _, quote = ("Il giorno " + rest).partition("\n")
        inner = "<br>".join(
            html.escape(line[2:] if line.startswith("> ") else line[1:])
            for line in quote.splitlines()
        )
        out += (
            '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            f'{html.escape(attr)}<br></div><blockquote class="gmail_quote" style="margin:0px '
            f'0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{inner}'
            "</blockquote></div>"
        )
    return f"<html><head></head><body>{out}</body></html>\n"


def _address(name: str, address: str) -> Address:
    local_part, _, domain = address.strip().partition("@")
    return Address(display_name=name, username=local_part, domain=domain)


def render(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _address(*mail.sender)
    message["To"] = _address(*mail.to)
    if mail.reply_to is not None:
        message["Reply-To"] = _address(*mail.reply_to)
    message["Subject"] = mail.subject
    offset = rome_offset(mail.ts)
    moment = datetime.fromtimestamp(mail.ts, UTC).astimezone(timezone(timedelta(seconds=offset)))
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
        message["References"] = " ".join(mail.references)
    if mail.automated:
        message["Auto-Submitted"] = "auto-generated"
    if mail.html_only:
        message.set_content(_html(mail.body), subtype="html")
    else:
        message.set_content(mail.body)
    return message


def write_mbox(path: Path, mails: list[Mail]) -> None:
    """Write `mails` as one mbox file, atomically (`<name>.part`, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    if partial.exists():
        partial.unlink()
    box = mailbox.mbox(partial, create=True)
    try:
        for mail in mails:
            message = render(mail)
            # the mbox `From ` line: the sender and the message's own date (never "now")
            message.set_unixfrom(
                f"From {mail.sender[1].strip()} {time.asctime(time.gmtime(mail.ts))}"
            )
            box.add(message)
        box.flush()
    finally:
        box.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)


def write_daily(folder: Path, shard_no: int, mails: list[Mail]) -> int:
    """One folder per UTC day of the message's date, a handful of messages per file."""
    files = 0
    mails = sorted(mails, key=lambda m: (m.ts, m.message_id))
    for day, group in groupby(mails, key=lambda m: utc_day(m.ts // DAY)):
        batch = list(group)
        for chunk_no, start in enumerate(range(0, len(batch), PER_FILE)):
            name = f"demo-{shard_no * 1000 + chunk_no:04d}.mbox"
            write_mbox(folder / day / name, batch[start : start + PER_FILE])
            files += 1
    return files
