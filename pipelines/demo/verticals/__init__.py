"""One module per kind of demo business: its script (what it sounds like), `plan` (who its
contacts are, and their orders) and `play` (what happens to each contact, in time order).
`VERTICALS` maps inboxes.csv's `vertical` column to them."""

from __future__ import annotations

from dataclasses import dataclass

from ..businesses import Script
from ..stories import Planner, Player
from . import dental_clinic, estate_agent, furniture, gym, language_school, supplements_shop


@dataclass(frozen=True)
class Vertical:
    script: Script
    plan: Planner
    play: Player
    first_order_number: int | None = None  # None: the business has no shop


VERTICALS: dict[str, Vertical] = {
    "furniture": Vertical(furniture.SCRIPT, furniture.plan, furniture.play, 1001),
    "gym": Vertical(gym.SCRIPT, gym.plan, gym.play),
    "language_school": Vertical(language_school.SCRIPT, language_school.plan, language_school.play),
    "dental_clinic": Vertical(dental_clinic.SCRIPT, dental_clinic.plan, dental_clinic.play),
    "estate_agent": Vertical(estate_agent.SCRIPT, estate_agent.plan, estate_agent.play),
    "supplements_shop": Vertical(
        supplements_shop.SCRIPT, supplements_shop.plan, supplements_shop.play, 21001
    ),
}
