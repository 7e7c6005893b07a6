"""Chatwoot REST messages (landing/chatwoot_api/messages/, written by
pipelines/connectors/chatwoot_api.py) → raw.chatwoot_events, as `message_created` events.

The REST API and the webhooks describe the same messages in two shapes; this loader
wraps each REST message in the webhook's envelope (conversation, inbox and account
objects) so that both flow through one staging model, which deduplicates them by
account and message id. The integer `message_type` and unix `created_at` of the REST
shape are understood by staging as they are.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest import chatwoot
from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "chatwoot_api"

_SHAPE_OK = (
    "coalesce((json_type(text::json) = 'OBJECT' and (text::json ->> 'id') is not null"
    " and (text::json ->> 'conversation_id') is not null), false)"
)


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        insert into raw.chatwoot_events
        select file, line_no, 'message_created',
               json_merge_patch(
                   text::json,
                   json_object(
                       'conversation', json_object(
                           'id', text::json ->> 'conversation_id',
                           'inbox_id', text::json ->> 'inbox_id',
                           'contact_inbox', json_object('source_id', text::json -> 'sender' ->> 'phone_number'),
                           'meta', json_object('sender', text::json -> 'sender')
                       ),
                       'inbox', json_object('id', text::json ->> 'inbox_id'),
                       'account', json_object('id', text::json ->> 'account_id'),
                       'event', 'message_created'
                   )
               ),
               now()::timestamp
        from _lines where {_SHAPE_OK}
        """
    )
    return f"""
        select file, line_no, 'not a Chatwoot REST message (no id or conversation_id)' as reason
        from _lines where not ({_SHAPE_OK})
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(
        con, SOURCE, landing / SOURCE / "messages", chatwoot.DDL, _load, landing_root=landing
    )
