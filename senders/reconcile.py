"""What became of sends whose answer never came back, learnt from the status webhooks.

A ledger row is `unknown` when the request may have reached Meta but no answer did (a
read timeout, a connection dropped after the request left, a process killed between
reservation and answer). Sending it again could deliver the message twice, so it is
never resent; instead, Meta's own record is read back: the status webhooks
(`sent`, `delivered`, `read`, `failed`) that landed in the warehouse
(`stg_whatsapp__statuses`, one row per message and status, with the recipient).

1. An `unknown` row with a wamid (Meta answered, we could not finish recording) takes
   that message's statuses.
2. Otherwise a message is the row's when it went to the row's number, its first status
   came between `skew` before the reservation and `window` after it, and no other ledger
   row (nor a send taken back into a hold) has it. Rows are matched oldest reservation
   first, each to the earliest such message, so two unknown rows to one number (two
   campaigns) each get their own. The row becomes `accepted` with that wamid.
3. A row nothing matches stays `unknown`: it counts as sent for every cap and window
   and is never sent again.

Then failures flow back to the ledger for every accepted row whose message failed:
131049 (Meta's marketing cap for the user) holds the member `marketing_limit` 24 h after
the failure, at most twice (senders/ledger.py `hold_for_marketing_limit`); 131026
(undeliverable) and 131050 (the user stopped marketing) make the row failed with that
code, which the send-time rules read (`undeliverable`) and the consent ledger learns
(models/intermediate/int_consent_events.sql). Running it again changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import duckdb

from senders.ledger import MARKETING_LIMIT_CODE, SendLedger, SendRow
from senders.run import MARKETING_LIMIT_ATTEMPTS, MARKETING_LIMIT_RETRY

STATUSES_TABLE = "stg_whatsapp__statuses"
FLOWING_BACK = (MARKETING_LIMIT_CODE, 131026, 131050)
DEFAULT_WINDOW = timedelta(minutes=10)
DEFAULT_SKEW = timedelta(minutes=1)  # the provider's clock against ours


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def statuses_relation(con: duckdb.DuckDBPyConnection) -> str | None:
    """`schema.stg_whatsapp__statuses` of the warehouse, or None before dbt built it."""
    found = con.execute(
        "select table_schema from information_schema.tables"
        " where table_catalog = current_database() and table_name = ? order by table_schema limit 1",
        [STATUSES_TABLE],
    ).fetchone()
    return f'"{found[0]}"."{STATUSES_TABLE}"' if found else None


def reconcile(
    ledger: SendLedger,
    con: duckdb.DuckDBPyConnection,
    campaign_id: str | None = None,
    *,
    window: timedelta = DEFAULT_WINDOW,
    skew: timedelta = DEFAULT_SKEW,
) -> dict[str, int]:
    """Match `unknown` rows (of one campaign, or all) to status webhooks and let status
    failures flow back (module docstring); the counts of what changed."""
    relation = statuses_relation(con)
    counts: Counter[str] = Counter()
    if relation is None:
        return {}
    _match_unknown(ledger, con, relation, campaign_id, window, skew, counts)
    _failures_back(ledger, con, relation, campaign_id, counts)
    return dict(counts)


def _match_unknown(
    ledger: SendLedger,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    campaign_id: str | None,
    window: timedelta,
    skew: timedelta,
    counts: Counter[str],
) -> None:
    unknown = ledger.unknown_rows(campaign_id)
    if not unknown:
        return
    phones = sorted({_digits(r["phone"]) for r in unknown} - {""})
    wamids = sorted({r["wamid"] for r in unknown if r["wamid"]})
    # each message to these numbers (or with these wamids): its recipient and first status
    records = con.execute(
        f"select message_id, max(recipient_wa_id), min(status_at) from {relation}"
        " where recipient_wa_id in (select unnest($phones)) or message_id in (select unnest($wamids))"
        " group by message_id",
        {"phones": phones or [""], "wamids": wamids or [""]},
    ).fetchall()
    first_status = {wamid: _aware(moment) for wamid, _, moment in records if moment is not None}
    by_phone: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for wamid, recipient, moment in records:
        if moment is not None and recipient:
            by_phone[_digits(recipient)].append((_aware(moment), wamid))
    for messages in by_phone.values():
        messages.sort()
    claimed = ledger.claimed_wamids(list(first_status))
    for row in unknown:
        key = (row["campaign_id"], row["run_id"], row["contact_id"])
        if row["wamid"]:
            if row["wamid"] in first_status:
                # the row's own wamid: `resolve_unknown` refuses a wamid already in the
                # ledger, so the row's own one is cleared inside the same update
                if ledger.resolve_own_wamid(*key, sent_at=first_status[row["wamid"]]):
                    counts["matched_by_wamid"] += 1
            else:
                counts["still_unknown"] += 1
            continue
        reserved = datetime.fromisoformat(row["reserved_at"])
        chosen = next(
            (
                (moment, wamid)
                for moment, wamid in by_phone.get(_digits(row["phone"]), [])
                if wamid not in claimed and reserved - skew <= moment <= reserved + window
            ),
            None,
        )
        if chosen is None:
            counts["still_unknown"] += 1
            continue
        moment, wamid = chosen
        claimed.add(wamid)
        how = "reconciled: the status webhooks of a message to this number right after the reservation"
        if ledger.resolve_unknown(*key, wamid=wamid, sent_at=moment, how=how):
            counts["matched_by_recipient"] += 1


def _failures_back(
    ledger: SendLedger,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    campaign_id: str | None,
    counts: Counter[str],
) -> None:
    failures = con.execute(
        f"select message_id, error_code, error_detail, status_at from {relation}"
        " where status = 'failed' and error_code in (select unnest($codes)) order by status_at, message_id",
        {"codes": list(FLOWING_BACK)},
    ).fetchall()
    for wamid, code, detail, moment in failures:
        row = ledger.accepted_row_for(wamid)
        if row is None or row["status"] != "accepted":
            continue
        if campaign_id is not None and row["campaign_id"] != campaign_id:
            continue
        if code == MARKETING_LIMIT_CODE:
            send_row = SendRow(
                campaign_id=row["campaign_id"],
                run_id=row["run_id"],
                contact_id=row["contact_id"],
                phone=row["phone"],
                template_name=row["template_name"],
                template_language=row["template_language"],
            )
            held = ledger.hold_for_marketing_limit(
                send_row,
                member=None,
                now=_aware(moment) if moment is not None else datetime.now(UTC),
                retry_after=MARKETING_LIMIT_RETRY,
                max_attempts=MARKETING_LIMIT_ATTEMPTS,
                error_detail=f"failed status webhook: {detail or code}",
                wamid=wamid,
            )
            counts["marketing_limit_held" if held else "marketing_limit_final"] += 1
        elif ledger.record_status_failure(wamid, int(code), f"failed status webhook: {detail or code}"):
            counts[f"failed_{code}"] += 1
