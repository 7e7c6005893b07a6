"""The campaign definitions (senders/campaigns/*.yaml) → raw.campaigns.

One row per campaign file, validated with the senders' own model (`senders.campaign.
Campaign`) so the warehouse measures a campaign by the same goal and uplift method the
file states; the table is replaced whole at every ingest (the files are few and small),
like the send ledger's copy. A new campaign or a changed goal needs no Python change:
the file is read as it is. THREADLINE_CAMPAIGNS_DIR points at another folder (tests).

The template and segment checks of `load_campaign` are not repeated here: they need the
template registry and the dbt manifest, and the code location already refuses to load
a campaign that fails them.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
from pydantic import ValidationError

from senders.campaign import CAMPAIGNS_DIR, Campaign, CampaignConfigError
from senders.templates import describe, read_yaml

COLUMNS: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "description": pl.String(),
    "segment": pl.String(),
    "inbox_id": pl.String(),
    "template_name": pl.String(),
    "template_language": pl.String(),
    "holdout_percent": pl.Float64(),
    "variants": pl.String(),  # JSON list of {name, percent, template}
    "goal_type": pl.String(),
    "goal_within_days": pl.Int64(),  # null: var attribution_window_days
    "uplift_method": pl.String(),
    "uplift_confidence": pl.Float64(),
    "config": pl.String(),  # the whole validated definition, JSON
    "source_file": pl.String(),
    "content_sha256": pl.String(),
    "ingested_at": pl.Datetime("us"),  # naive UTC, as every raw table has it
}


def campaigns_dir() -> Path:
    """The folder of campaign files: $THREADLINE_CAMPAIGNS_DIR, else senders/campaigns."""
    configured = os.environ.get("THREADLINE_CAMPAIGNS_DIR")
    return Path(configured) if configured else CAMPAIGNS_DIR


def _row(path: Path, ingested_at: datetime) -> dict[str, object]:
    try:
        campaign = Campaign.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise CampaignConfigError(f"{path}: {describe(exc)}") from exc
    return {
        "campaign_id": campaign.campaign_id,
        "description": campaign.description,
        "segment": campaign.segment,
        "inbox_id": campaign.inbox_id,
        "template_name": campaign.template.name,
        "template_language": campaign.template.language,
        "holdout_percent": campaign.holdout_percent,
        "variants": json.dumps([variant.model_dump(mode="json") for variant in campaign.variants]),
        "goal_type": campaign.goal.type,
        "goal_within_days": campaign.goal.within_days,
        "uplift_method": campaign.uplift.method,
        "uplift_confidence": campaign.uplift.confidence,
        "config": json.dumps(campaign.model_dump(mode="json"), sort_keys=True),
        "source_file": path.name,
        "content_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "ingested_at": ingested_at,
    }


def read_campaigns(folder: Path) -> pl.DataFrame:
    """One row per campaign file of `folder` (empty when there is none); a file that does
    not validate raises CampaignConfigError naming the file and the key."""
    ingested_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = [_row(path, ingested_at) for path in sorted(folder.glob("*.yaml"))]
    seen: dict[str, str] = {}
    for row in rows:
        campaign_id, file = str(row["campaign_id"]), str(row["source_file"])
        if campaign_id in seen:
            raise CampaignConfigError(
                f"{folder / file}: campaign_id {campaign_id!r} is also the id of {seen[campaign_id]}; "
                "give each campaign its own id"
            )
        seen[campaign_id] = file
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


def sync(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    frame = read_campaigns(campaigns_dir() if folder is None else folder)
    con.execute("create schema if not exists raw")
    con.register("_campaigns", frame)
    con.execute("create or replace table raw.campaigns as select * from _campaigns")
    con.unregister("_campaigns")
    return frame.height
