"""Identifiers that look like the real ones (all drawn from the seeded generator)."""

from __future__ import annotations

import base64
import random


def wamid(rng: random.Random, wa_id: str, inbound: bool) -> str:
    """A WhatsApp message id: `wamid.` + base64 of the protobuf-ish blob Meta uses."""
    phone = wa_id.encode()
    if inbound:
        tail = f"{rng.getrandbits(128):032X}".encode()
        blob = (
            b"\x1c\x18" + bytes([len(phone)]) + phone + b"\x15\x02\x00\x12\x18\x20" + tail + b"\x00"
        )
    else:
        tail = f"{rng.getrandbits(72):018X}".encode()
        blob = (
            b"\x1c\x18" + bytes([len(phone)]) + phone + b"\x15\x02\x00\x11\x18\x12" + tail + b"\x00"
        )
    return "wamid." + base64.b64encode(blob).decode()


def media_id(rng: random.Random) -> str:
    return str(rng.randrange(10**15, 10**16))


def sha256_b64(rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(32)).decode()


def ctwa_clid(rng: random.Random) -> str:
    return "ARA" + base64.urlsafe_b64encode(rng.randbytes(57)).decode().rstrip("=")


def ad_id(rng: random.Random) -> str:
    return str(rng.randrange(120200000000000000, 120219999999999999))


def short_link(rng: random.Random) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "https://fb.me/" + "".join(rng.choice(alphabet) for _ in range(9))


def tracking_number(rng: random.Random) -> str:
    return f"0{rng.randrange(10**11, 10**12)}"
