"""Who a campaign is for: the members of its segment, with what the sender needs to know."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb

from senders.campaign import Campaign

CONTACTS_RELATION = ("marts", "dim_contacts")
CONTACT_COLUMNS = ("contact_id", "phone_e164", "marketing_consent")


class AudienceError(LookupError):
    """The warehouse does not (yet) have what the campaign's audience is built from."""


@dataclass(frozen=True)
class AudienceMember:
    contact_id: str
    phone_e164: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    marketing_consent: bool = False
    is_holdout: bool = False


def _columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    found = con.execute(
        "select column_name from information_schema.columns"
        " where table_catalog = current_database() and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not found:
        raise AudienceError(
            f"relation {schema}.{name} does not exist in the warehouse; "
            "build it first (dbt build) before running the campaign"
        )
    return [column for (column,) in found]


def _audience_sql(con: duckdb.DuckDBPyConnection, campaign: Campaign, where: str = "") -> tuple[str, list[str]]:
    """The query of the campaign's audience (segment ∩ dim_contacts, by contact_id) and
    the variable columns it returns after contact_id, phone and consent."""
    segment_columns = _columns(con, "segments", campaign.segment)
    contact_columns = _columns(con, *CONTACTS_RELATION)
    if "contact_id" not in segment_columns:
        raise AudienceError(f"{campaign.segment_relation} has no contact_id column")
    missing = [c for c in CONTACT_COLUMNS if c not in contact_columns]
    if missing:
        raise AudienceError(f"marts.dim_contacts lacks {', '.join(missing)}")

    selected = []
    for column in campaign.columns:
        if column in segment_columns:
            selected.append(f's."{column}"')
        elif column in contact_columns:
            selected.append(f'c."{column}"')
        else:
            raise AudienceError(
                f"campaign {campaign.campaign_id}: variable column {column!r} is neither in "
                f"{campaign.segment_relation} ({', '.join(segment_columns)}) "
                "nor in marts.dim_contacts"
            )
    variable_sql = "".join(f", {expression}" for expression in selected)
    sql = f"""
        select
            cast(s.contact_id as varchar),
            c.phone_e164,
            coalesce(c.marketing_consent, false)
            {variable_sql}
        from segments."{campaign.segment}" as s
        left join marts.dim_contacts as c on c.contact_id = s.contact_id
        {where}
        order by 1
        """
    return sql, list(campaign.columns)


def _member(names: list[str], record: tuple[Any, ...]) -> AudienceMember:
    contact_id, phone, consent, *values = record
    return AudienceMember(
        contact_id=contact_id,
        phone_e164=phone,
        variables=dict(zip(names, values, strict=True)),
        marketing_consent=bool(consent),
    )


def iter_audience(
    con: duckdb.DuckDBPyConnection, campaign: Campaign, batch_size: int = 2_000
) -> Iterator[AudienceMember]:
    """Every member of `segments.<segment>`, joined to `marts.dim_contacts`, by
    contact_id, in contact_id order, fetched `batch_size` rows at a time: memory stays
    flat whatever the audience's size (a million members are never in a list).

    The query runs on its own cursor, so the send-time reads of the same connection
    (senders/policy.py) do not close the stream. A member missing from dim_contacts is
    kept (with no phone and no consent) so the run records why it was skipped instead
    of losing it. Errors in the campaign's columns are raised before the first member.
    """
    sql, names = _audience_sql(con, campaign)
    cursor = con.cursor()
    cursor.execute(sql)
    return _stream(cursor, names, batch_size)


def _stream(cursor: duckdb.DuckDBPyConnection, names: list[str], batch_size: int) -> Iterator[AudienceMember]:
    try:
        while records := cursor.fetchmany(batch_size):
            for record in records:
                yield _member(names, record)
    finally:
        cursor.close()


def load_audience(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> list[AudienceMember]:
    """The whole audience as a list (small audiences, tests); runs use `iter_audience`."""
    return list(iter_audience(con, campaign))


def lookup_member(con: duckdb.DuckDBPyConnection, campaign: Campaign, contact_id: str) -> AudienceMember | None:
    """One member as the audience query sees it now (a member held after a failed status
    webhook, whose template variables the ledger does not keep); None once the contact
    has left the segment."""
    sql, names = _audience_sql(con, campaign, "where cast(s.contact_id as varchar) = $contact_id")
    record = con.execute(sql, {"contact_id": contact_id}).fetchone()
    return _member(names, record) if record else None
