"""Building a campaign's audience from a real DuckDB warehouse file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from senders.audience import AudienceError, AudienceMember, load_audience
from senders.campaign import Campaign


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.dim_contacts as select * from (values
            ('c1', 'Giulia Rossi', '+393331234501', 'giulia@example.it', true),
            ('c2', 'Marco Bianchi', '+393331234502', null, false),
            ('c3', 'Sara Verdi', null, 'sara@example.it', true),
            ('c9', 'Not In Segment', '+393331234509', null, true)
        ) as t(contact_id, display_name, phone_e164, email, marketing_consent)
        """
    )
    yield con
    con.close()


def add_segment(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema segments")
    con.execute(
        """
        create table segments.repurchase_due as select * from (values
            ('c1', 'Giulia', 'Magnesio Plus', date '2025-05-03'),
            ('c2', 'Marco', 'Omega 3', date '2025-05-04'),
            ('c3', 'Sara', 'Vitamina D', date '2025-05-05'),
            ('c4', 'Ghost', 'Collagene', date '2025-05-06')
        ) as t(contact_id, first_name, last_product, last_ordered_on)
        """
    )


def test_segment_joined_to_contacts(warehouse: duckdb.DuckDBPyConnection, campaign: Campaign):
    add_segment(warehouse)
    audience = load_audience(warehouse, campaign)

    def variables(first_name: str, last_product: str) -> dict[str, str]:
        return {"first_name": first_name, "last_product": last_product}

    assert audience == [
        AudienceMember("c1", "+393331234501", variables("Giulia", "Magnesio Plus"), True),
        AudienceMember("c2", "+393331234502", variables("Marco", "Omega 3"), False),
        AudienceMember("c3", None, variables("Sara", "Vitamina D"), True),
        # not in dim_contacts: kept, so the run records why it was not sent
        AudienceMember("c4", None, variables("Ghost", "Collagene"), False),
    ]


def test_variables_may_come_from_dim_contacts(
    warehouse: duckdb.DuckDBPyConnection, campaign: Campaign
) -> None:
    add_segment(warehouse)
    by_name = campaign.model_copy(update={"variables": {1: "display_name", 2: "last_product"}})
    first = load_audience(warehouse, by_name)[0]
    assert first.variables == {"display_name": "Giulia Rossi", "last_product": "Magnesio Plus"}


def test_missing_segment_is_a_clear_error(
    warehouse: duckdb.DuckDBPyConnection, campaign: Campaign
) -> None:
    with pytest.raises(AudienceError, match=r"segments\.repurchase_due does not exist.*dbt build"):
        load_audience(warehouse, campaign)


def test_unknown_variable_column_is_a_clear_error(
    warehouse: duckdb.DuckDBPyConnection, campaign: Campaign
) -> None:
    add_segment(warehouse)
    broken = campaign.model_copy(update={"variables": {1: "first_name", 2: "favourite_colour"}})
    with pytest.raises(AudienceError, match="'favourite_colour' is neither in segments"):
        load_audience(warehouse, broken)
