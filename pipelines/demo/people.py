"""The people who write to the demo businesses: names, WhatsApp numbers, e-mails, and how
they type their phone number into a shop form."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from faker import Faker

ITALIAN_MOBILE_PREFIXES = (
    "320", "324", "327", "328", "329", "330", "331", "333", "334", "335", "336", "338",
    "339", "340", "342", "345", "346", "347", "348", "349", "350", "351", "366", "368",
    "370", "371", "373", "377", "379", "380", "388", "389", "391", "392", "393",
)  # fmt: skip

# country, calling code, mobile prefixes, digits after the prefix, weight among foreigners
FOREIGN_MOBILES: tuple[tuple[str, str, tuple[str, ...], int, float], ...] = (
    ("CH", "41", ("76", "77", "78", "79"), 7, 0.35),
    ("GB", "44", ("7700", "7712", "7723", "7788", "7911"), 6, 0.2),
    ("DE", "49", ("151", "152", "160", "170", "176"), 8, 0.2),
    ("FR", "33", ("6", "7"), 8, 0.15),
    ("ES", "34", ("6", "7"), 8, 0.1),
)

EMAIL_DOMAINS = (
    ("gmail.com", 0.48), ("libero.it", 0.12), ("hotmail.it", 0.08), ("yahoo.it", 0.06),
    ("outlook.it", 0.06), ("icloud.com", 0.07), ("virgilio.it", 0.04), ("alice.it", 0.03),
    ("tiscali.it", 0.02), ("fastwebnet.it", 0.02), ("outlook.com", 0.02),
)  # fmt: skip

FOREIGN_SHARE = 0.02
PROFILE_EMOJIS = ("🌸", "☀️", "💫", "🌻", "⚽", "🎶", "🐾", "✨", "🍀", "💙")


@dataclass(slots=True)
class Person:
    index: int  # position in the roster; Chatwoot contact id is index + 1
    first_name: str
    last_name: str
    country: str  # ISO 3166 alpha-2 of the phone number
    wa_id: str  # WhatsApp id: country code + number, digits only
    profile_name: str  # the WhatsApp profile name they chose
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def e164(self) -> str:
        return "+" + self.wa_id


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _name_pools(fake: Faker) -> tuple[list[str], list[str], list[str]]:
    def pool(draw: object, size: int) -> list[str]:
        seen: dict[str, None] = {}
        for _ in range(size):
            seen.setdefault(draw(), None)  # type: ignore[operator]
        return list(seen)

    return (
        pool(fake.first_name_female, 500),
        pool(fake.first_name_male, 500),
        pool(fake.last_name, 1500),
    )


def _italian_mobile(rng: random.Random) -> str:
    return "39" + rng.choice(ITALIAN_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _foreign_mobile(rng: random.Random) -> tuple[str, str]:
    weights = [row[4] for row in FOREIGN_MOBILES]
    country, code, prefixes, digits, _ = rng.choices(FOREIGN_MOBILES, weights)[0]
    return country, code + rng.choice(prefixes) + f"{rng.randrange(10**digits):0{digits}d}"


def _profile_name(rng: random.Random, first: str, last: str) -> str:
    roll = rng.random()
    if roll < 0.45:
        return f"{first} {last}"
    if roll < 0.68:
        return first
    if roll < 0.78:
        return f"{first} {last[0]}."
    if roll < 0.84:
        return f"{first} {rng.choice(PROFILE_EMOJIS)}"
    if roll < 0.89:
        return f"{last} {first}"
    if roll < 0.94:
        return _ascii(first)[:4] + rng.choice(("", "y", "_", "88", "90", "x"))
    if roll < 0.97:
        return f"{rng.choice(('Dott.', 'Avv.', 'Ing.', 'Arch.'))} {first} {last}"
    return f"{first.upper()} {last.upper()}"


def _email(rng: random.Random, first: str, last: str) -> str:
    a, b = _ascii(first), _ascii(last)
    style = rng.random()
    if style < 0.4:
        local_part = f"{a}.{b}"
    elif style < 0.6:
        local_part = f"{a}{b}{rng.randrange(60, 100)}"
    elif style < 0.75:
        local_part = f"{a[0]}{b}"
    elif style < 0.9:
        local_part = f"{a}_{b}{rng.randrange(1, 30)}"
    else:
        local_part = f"{b}.{a}{rng.randrange(1970, 2006)}"
    pick = rng.random()
    for domain, weight in EMAIL_DOMAINS:
        pick -= weight
        if pick <= 0:
            return f"{local_part}@{domain}"
    return f"{local_part}@gmail.com"


def build_roster(count: int, rng: random.Random, fake: Faker) -> list[Person]:
    """`count` distinct people; WhatsApp numbers are unique across the whole roster."""
    females, males, surnames = _name_pools(fake)
    taken: set[str] = set()
    people: list[Person] = []
    for index in range(count):
        first = rng.choice(females if rng.random() < 0.54 else males)
        last = rng.choice(surnames)
        while True:
            if rng.random() < FOREIGN_SHARE:
                country, wa_id = _foreign_mobile(rng)
            else:
                country, wa_id = "IT", _italian_mobile(rng)
            if wa_id not in taken:
                taken.add(wa_id)
                break
        people.append(
            Person(index, first, last, country, wa_id, _profile_name(rng, first, last),
                   _email(rng, first, last))
        )  # fmt: skip
    return people


def typed_phone(rng: random.Random, person: Person) -> str:
    """The phone number as a person types it into a checkout form."""
    wa = person.wa_id
    if person.country != "IT":
        code = wa[:2]
        rest = wa[2:]
        groups = " ".join(rest[i : i + 3] for i in range(0, len(rest), 3))
        return rng.choice((f"+{code} {groups}", f"00{code}{rest}", f"+{wa}"))
    national = wa[2:]
    pre, mid, end = national[:3], national[3:6], national[6:]
    return rng.choice(
        (
            f"+39 {pre} {mid} {end}",
            f"{pre} {mid}{end}",
            f"{pre}{mid}{end}",
            f"0039 {pre} {mid}{end}",
            f"+39{national}",
            f"{pre}-{mid}-{end}",
            f"(+39) {pre} {mid} {end[:2]} {end[2:]}",
            f"{pre}.{mid}.{end}",
            f"+39 {pre}{mid}{end}",
        )
    )
