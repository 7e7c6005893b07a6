"""Deterministic demo data: WhatsApp Cloud API and Chatwoot webhooks and Shopify orders for
six Italian small businesses, written to landing/ as the real systems would produce them.

    python -m pipelines.demo --seed 7 --contacts 600 --days 90 --end-date 2026-11-24
"""

from __future__ import annotations

from .generate import generate

__all__ = ["generate"]
