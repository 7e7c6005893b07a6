"""The vocabulary of a demo business: operators, bot, topics customers write about,
templates, click-to-WhatsApp ads and products.

The scripts themselves live in `verticals/`, one module per business type.
Texts use `{placeholders}` filled per conversation (see `stories.context`). Pairing rule:
along a conversation (opener → operator → customer → ... → closing), when a list of variants
has as many entries as the list used just before it, the same position is used; so the n-th
answer goes with the n-th question. Lists of another length are picked from at random.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str
    role: str  # front, sales, aftersales, trainer, teacher, dentist, agent, nutrition


@dataclass(frozen=True, slots=True)
class Menu:
    kind: str  # "button" (interactive reply buttons, up to 3) or "list"
    text: str
    options: tuple[tuple[str, str], ...]  # (id, title)
    button: str = "Scegli"


@dataclass(frozen=True, slots=True)
class Bot:
    name: str
    greeting: str
    menu: Menu


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    name: str
    category: str  # utility | marketing
    body: str  # with {{1}}, {{2}}, ... like the approved template
    buttons: tuple[tuple[str, str], ...] = ()  # quick replies: (payload, text)


@dataclass(frozen=True, slots=True)
class Ad:
    headline: str
    body: str
    media_type: str  # image | video
    topic: str  # what people who click it write about


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    labels: tuple[str, ...]
    openers: tuple[str, ...]
    steps: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (operator says, customer answers)
    closings: tuple[str, ...]
    role: str = "front"
    handoff_role: str | None = None
    handoff: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ("Grazie mille!", "Perfetto, grazie", "Ok grazie 🙏", "Gentilissimi")
    reopeners: tuple[str, ...] = ()
    reopen_answers: tuple[str, ...] = ()  # paired with reopeners
    image_captions: tuple[str, ...] = ()
    image_rate: float = 0.0
    quiet_rate: float = 0.12  # after each operator message, chance the customer goes quiet
    urgent: bool = False
    menu_choice: str | None = None  # the bot menu option people with this topic tap
    bot_list: Menu | None = None  # after the menu tap, the bot offers this list...
    bot_list_key: str = ""  # ...and the chosen title fills this placeholder
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    title: str
    price: str  # euros as a string, VAT included
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Script:
    vertical: str
    operators: tuple[OperatorSpec, ...]
    topics: dict[str, Topic]
    templates: dict[str, TemplateSpec]
    bot: Bot | None = None
    ads: tuple[Ad, ...] = ()
    products: tuple[Product, ...] = ()
    shop_domain: str = ""
    email_domain: str = ""
    unanswered_rate: float = 0.06
    contact_share: float = 1.0
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ads_for(self, topic: str) -> tuple[Ad, ...]:
        return tuple(ad for ad in self.ads if ad.topic == topic)


def reengage_template(formal: bool) -> TemplateSpec:
    """The utility template operators must use to answer after the 24-hour window."""
    body = (
        "Buongiorno {{1}}, ci scusiamo per l'attesa: abbiamo ricevuto il suo messaggio. Ci "
        "risponda qui per continuare."
        if formal
        else "Ciao {{1}}, scusa l'attesa! Abbiamo visto il tuo messaggio: rispondici qui e ti "
        "aiutiamo subito."
    )
    return TemplateSpec("ripresa_conversazione", "utility", body)


WEEKDAYS_IT = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS_IT = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip
