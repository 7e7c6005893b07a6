"""Does a record name the person? Their spellings as bytes (case ignored), then any
e-mail or phone-like token whose normalised key hashes to one of their tombstones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.privacy.identifiers import Person
from pipelines.privacy.tombstones import TOKEN, Tombstones, key_hash, normalise

REDACTED = "[erased]"


@dataclass(frozen=True)
class Matcher:
    needles: tuple[bytes, ...]
    tombstones: Tombstones

    @classmethod
    def for_person(cls, person: Person, salt: str) -> Matcher:
        hashes = frozenset(key_hash(salt, key) for key in person.tombstone_keys())
        return cls(tuple(person.needles()), Tombstones(hashes, salt))

    def spelled_in(self, data: bytes) -> bool:
        lower = data.lower()
        return any(needle in lower for needle in self.needles)

    def __call__(self, data: bytes) -> bool:
        return self.spelled_in(data) or self.tombstones.mentions(data.decode("utf-8", "replace"))

    def redact(self, text: str) -> str:
        """`text` with every spelling and tombstoned token replaced by `[erased]`."""
        for needle in self.needles:
            text = re.sub(re.escape(needle.decode()), REDACTED, text, flags=re.IGNORECASE)

        def token(match: re.Match[str]) -> str:
            key = normalise(match.group(0))
            return REDACTED if key and key_hash(self.tombstones.salt, key) in self.tombstones.hashes else match.group(0)

        return TOKEN.sub(token, text)
