"""Who a campaign is for: the members of its segment, with what the sender needs to know."""

from __future__ import annotations

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


def load_audience(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> list[AudienceMember]:
    """Every member of `segments.<segment>`, joined to `marts.dim_contacts`, by contact_id.

    A member missing from dim_contacts is kept (with no phone and no consent) so the
    run records why it was skipped instead of losing it.
    """
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
    records = con.execute(
        f"""
        select
            cast(s.contact_id as varchar),
            c.phone_e164,
            coalesce(c.marketing_consent, false)
            {variable_sql}
        from segments."{campaign.segment}" as s
        left join marts.dim_contacts as c on c.contact_id = s.contact_id
        order by 1
        """
    ).fetchall()
    names = campaign.columns
    return [
        AudienceMember(
            contact_id=contact_id,
            phone_e164=phone,
            variables=dict(zip(names, values, strict=True)),
            marketing_consent=bool(consent),
        )
        for contact_id, phone, consent, *values in records
    ]
