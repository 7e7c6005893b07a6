"""The senders read dim_contacts.marketing_consent, which is NULL when consent is unknown:
NULL must mean "not consented" (skip reason no_consent), exactly like false."""

from __future__ import annotations

from pathlib import Path

import duckdb

from senders.audience import load_audience
from senders.campaign import CAMPAIGNS_DIR, load_campaign
from senders.run import policy_skip_reason


def test_unknown_consent_is_not_consent(tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGNS_DIR / "repurchase_reminder.yaml")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute("create schema segments")
    con.execute(
        """
        create table marts.dim_contacts as select * from (values
            ('granted', 'Giulia', '+393331234501', true),
            ('denied', 'Marco', '+393331234502', false),
            ('unknown', 'Sara', '+393331234503', cast(null as boolean))
        ) as t(contact_id, first_name, phone_e164, marketing_consent)
        """
    )
    con.execute(
        """
        create table segments.repurchase_due as select * from (values
            ('granted', 'Giulia', 'Magnesio', 30), ('denied', 'Marco', 'Omega 3', 30),
            ('unknown', 'Sara', 'Zinco', 30)
        ) as t(contact_id, first_name, last_product, days_since_last_order)
        """
    )
    audience = {m.contact_id: m for m in load_audience(con, campaign)}
    con.close()

    assert {k: m.marketing_consent for k, m in audience.items()} == {
        "granted": True, "denied": False, "unknown": False,
    }
    assert policy_skip_reason(campaign, audience["unknown"]) == "no_consent"
    assert policy_skip_reason(campaign, audience["denied"]) == "no_consent"
