"""Ingest: landing files and the send ledger into raw.*, the landing sensor, and the
refresh job it starts (ingest → dbt → serving, campaigns excluded)."""

import dagster as dg

from pipelines.ingest.assets import (
    ingest_assets,
    raw_contact_registry_state,
    raw_phone_numbers,
    raw_segment_membership_state,
)
from pipelines.ingest.checks import rejected_records_checks
from pipelines.ingest.sensors import landing_sensor, refresh_job
from pipelines.resources import pick

defs = dg.Definitions(
    assets=[*ingest_assets, raw_phone_numbers, raw_contact_registry_state, raw_segment_membership_state],
    asset_checks=rejected_records_checks,
    jobs=[refresh_job],
    sensors=[landing_sensor],
    resources=pick("warehouse"),
)
