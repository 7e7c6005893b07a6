"""CLI: `python -m pipelines.demo --seed 7 --contacts 600 --days 90 --end-date 2026-11-24`."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.settings import paths

from .generate import generate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo",
        description="Write deterministic demo landing files: WhatsApp, Chatwoot, Shopify orders "
        "and checkouts, Instagram, Messenger, e-mail, web chat, calls, HubSpot, calendars.",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--contacts", type=int, default=600, help="people across the 6 businesses")
    parser.add_argument("--days", type=int, default=90, help="length of the window in days")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=None,
        help="last day of the window, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--home", type=Path, default=None, help="THREADLINE_HOME (default: settings.paths())"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes (default: auto; output is identical)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    end_date = args.end_date or datetime.now(UTC).date()
    home = args.home if args.home is not None else paths().home
    began = time.perf_counter()
    counts = generate(home, args.seed, args.contacts, args.days, end_date, workers=args.workers)
    elapsed = time.perf_counter() - began
    summary = " ".join(f"{key}={value}" for key, value in counts.items())
    print(f"demo data in {home / 'landing'} ({end_date}, {elapsed:.1f}s): {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
