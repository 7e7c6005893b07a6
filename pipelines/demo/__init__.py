"""Deterministic demo data for six Italian small businesses, written to landing/ as the real
systems would produce them: WhatsApp Cloud API and Chatwoot webhooks, Shopify orders and
abandoned checkouts, and the same people on Instagram and Messenger (Meta webhooks), e-mail
(mbox), web chat, the dental clinic's phone line, HubSpot and the booking calendars (.ics).

    python -m pipelines.demo --seed 7 --contacts 600 --days 90 --end-date 2026-11-24
"""

from __future__ import annotations

from .generate import generate

__all__ = ["generate"]
