"""Run one campaign from the command line, outside Dagster: the real run (rules, ledger,
client) over an audience file, against the Cloud API or a simulator URL.

    THREADLINE_WHATSAPP_TOKEN=... python -m senders.campaign_cli \\
        --campaign repurchase_reminder --audience members.jsonl --ledger send_ledger.sqlite \\
        --base-url http://127.0.0.1:8765 --phone-number-id 1122334455667 --run-id run-1

The audience file has one JSON object a line (`contact_id`, `phone_e164`, `variables`,
`marketing_consent`), read as a stream. Consent is the file's flag (no warehouse); the
programme settings are senders/programme.yaml's unless `--no-programme`. Running it
again with the same run id resumes the run: what the ledger has is never sent again.
The token is read from the environment only. It is what the exactly-once kill test
(tests/senders/test_exactly_once_kill.py) kills and restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from senders.audience import AudienceMember
from senders.campaign import CAMPAIGNS_DIR, Campaign, check_campaign, load_templates
from senders.ledger import SendLedger
from senders.programme import Programme, load_programme
from senders.provider import AsyncCloudApiClient
from senders.run import CampaignRunStoppedError, RunSummary, SendRules, run_campaign_async
from senders.templates import read_yaml


def campaign_for_file_audience(path: Path) -> Campaign:
    """The campaign file, validated with its templates but not against the dbt project's
    segments: the audience comes from a file, so the segment is never read (and parsing
    the dbt project would cost the CLI seconds at every start)."""
    campaign = Campaign.model_validate(read_yaml(path))
    registry = load_templates()
    check_campaign(campaign, registry)
    for variant in campaign.variants:
        if variant.template is not None:
            check_campaign(campaign.model_copy(update={"template": variant.template}), registry)
    return campaign


def read_audience(path: Path) -> Iterator[AudienceMember]:
    """The members of a JSON-lines audience file, one at a time."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                yield AudienceMember(
                    contact_id=str(record["contact_id"]),
                    phone_e164=record.get("phone_e164"),
                    variables=record.get("variables") or {},
                    marketing_consent=bool(record.get("marketing_consent")),
                    is_holdout=bool(record.get("is_holdout")),
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaign", required=True, help="campaign id (senders/campaigns) or a YAML file")
    parser.add_argument("--audience", required=True, type=Path, help="JSON-lines audience file")
    parser.add_argument("--ledger", required=True, type=Path, help="the SQLite send ledger file")
    parser.add_argument("--base-url", required=True, help="Cloud API base URL (a simulator's)")
    parser.add_argument("--phone-number-id", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--now", help="the run's time (ISO 8601 with offset); default: now")
    parser.add_argument("--max-in-flight", type=int, default=32)
    parser.add_argument("--messages-per-second", type=float, default=80, help="the number's throughput tier")
    parser.add_argument("--pair-seconds", type=float, default=6.0, help="one message per recipient per this")
    parser.add_argument("--timeout", type=float, default=10.0, help="read timeout per request, seconds")
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--backoff-base", type=float, default=0.5)
    parser.add_argument("--holdout-percent", type=float, help="override the campaign's holdout")
    parser.add_argument("--no-programme", action="store_true", help="no global control, no messaging limit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    source = Path(args.campaign)
    path = source if source.suffix in {".yaml", ".yml"} else CAMPAIGNS_DIR / f"{args.campaign}.yaml"
    campaign = campaign_for_file_audience(path)
    if args.holdout_percent is not None:
        campaign = campaign.model_copy(update={"holdout_percent": args.holdout_percent})
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    token = os.environ.get("THREADLINE_WHATSAPP_TOKEN", "")
    rules = SendRules(programme=Programme() if args.no_programme else load_programme())
    try:
        summary = asyncio.run(_run(args, campaign, rules, now, token))
    except CampaignRunStoppedError as stopped:
        print(json.dumps(stopped.summary.as_dict()), flush=True)
        return 3
    print(json.dumps(summary.as_dict()), flush=True)
    return 0


async def _run(args: argparse.Namespace, campaign: Campaign, rules: SendRules, now: datetime, token: str) -> RunSummary:
    """The run with the async client, opened (and closed) inside the run's event loop."""
    with SendLedger(args.ledger) as ledger:
        async with AsyncCloudApiClient(
            args.base_url,
            token,
            args.phone_number_id,
            messages_per_second=args.messages_per_second,
            pair_seconds=args.pair_seconds,
            max_in_flight=args.max_in_flight,
            timeout=args.timeout,
            max_attempts=args.max_attempts,
            backoff_base=args.backoff_base,
        ) as client:
            return await run_campaign_async(
                campaign, read_audience(args.audience), ledger, client, args.run_id, now, rules,
                max_in_flight=args.max_in_flight,
            )


if __name__ == "__main__":
    sys.exit(main())
