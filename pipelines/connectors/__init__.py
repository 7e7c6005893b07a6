"""Incremental API connectors: each one lands what changed since its cursor into landing/.

- `http`: the shared httpx client factory and retry/backoff (429 and 5xx, `Retry-After`).
- `cursors`: the durable cursor store (`state/cursors.json`, written atomically).
- `env`: settings and credentials from the environment (a missing one names its variable).
- `pages`: one landing file per API page (`pipelines.landing.write_jsonl`), timestamps.
- `chatwoot_api`, `hubspot`, `shopify_api`: one `sync(paths, client=None) -> dict` each.
- `csv_exports`: reading CSV exports (HubSpot contacts, WooCommerce orders) for ingest.

Credentials come only from the environment and are sent only as request headers; they
are never logged, stored in cursors or written to landing files.
"""
