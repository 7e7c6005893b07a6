"""HubSpot CRM v3 connector against a live fake HubSpot on loopback."""

from __future__ import annotations

import logging

import pytest
from fake_servers import FakeHubSpot, all_written_text, read_landed

from pipelines.connectors import hubspot as connector
from pipelines.connectors.cursors import CursorStore
from pipelines.connectors.env import MissingCredentialError
from pipelines.connectors.http import ApiError, RetryPolicy
from pipelines.settings import Paths


def _seed(fake: FakeHubSpot, contacts: int = 250, deals: int = 30) -> list[str]:
    ids = [fake.add_contact(email=f"cliente{n}@example.it", firstname=f"Nome{n}",
                            lastname="Rossi", phone=f"+39 333 000 {n:04d}",
                            lifecyclestage="customer" if n % 4 == 0 else "lead")
           for n in range(contacts)]
    for n in range(deals):
        linked = [] if n % 10 == 9 else ids[n: n + 1 + n % 2]
        stage = "closedwon" if n % 3 else "appointmentscheduled"
        fake.add_deal(linked, dealname=f"Ordine cucina {n}", amount=f"{1000 + n}.50",
                      pipeline="default", dealstage=stage)
    return ids


def _landed(home: Paths, kind: str) -> list[dict]:
    return read_landed(home.landing / "hubspot" / kind)


def test_first_sync_lists_every_record_once_with_deal_associations(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy
) -> None:
    ids = _seed(fake_hubspot)
    result = hubspot_sync(home, policy)
    contacts, deals = _landed(home, "contacts"), _landed(home, "deals")

    assert sorted(c["id"] for c in contacts) == sorted(ids)  # each exactly once
    assert len(deals) == len({d["id"] for d in deals}) == 30
    assert result["contacts"] == 250 and result["deals"] == 30
    listing = fake_hubspot.calls("/crm/v3/objects/contacts", "GET")
    assert [c.query.get("after") for c in listing][0] is None and len(listing) == 3
    assert listing[0].query["limit"] == "100"
    assert listing[0].query["properties"].split(",") == list(hubspot_props("contacts"))
    assert contacts[0]["properties"]["email"] == "cliente0@example.it"
    linked = {d["id"]: d.get("associations", {}).get("contacts", {}).get("results", [])
              for d in deals}
    assert all(link["type"] == "deal_to_contact" for links in linked.values() for link in links)
    assert sum(1 for links in linked.values() if not links) == 3


def test_later_syncs_search_from_the_cursor_and_land_only_changes(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy
) -> None:
    ids = _seed(fake_hubspot)
    hubspot_sync(home, policy)
    fake_hubspot.reset_log()

    second = hubspot_sync(home, policy)
    assert (second["contacts"], second["deals"]) == (0, 0)
    assert fake_hubspot.calls(method="GET") == []  # no more full listings
    search = fake_hubspot.calls("/contacts/search")[0].body
    cursor = CursorStore.for_paths(home).get("hubspot:contacts")
    assert cursor is not None and cursor["mode"] == "search"
    assert search["filterGroups"] == [{"filters": [{
        "propertyName": "lastmodifieddate", "operator": "GTE",
        "value": str(cursor["watermark"]["high_ms"] - 60_000)}]}]
    assert search["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    assert search["limit"] == 200

    fake_hubspot.modify("contacts", ids[3], lifecyclestage="customer")
    fake_hubspot.modify("contacts", ids[200], phone="+39 02 1234567")
    deal_id = next(iter(fake_hubspot.deal_contacts))
    fake_hubspot.modify("deals", deal_id, dealstage="closedlost")
    fake_hubspot.reset_log()
    third = hubspot_sync(home, policy)
    contacts, deals = _landed(home, "contacts"), _landed(home, "deals")

    assert (third["contacts"], third["deals"]) == (2, 1)
    assert [c["id"] for c in contacts[-2:]] == [ids[3], ids[200]]
    assert contacts[-1]["properties"]["phone"] == "+39 02 1234567"
    assert deals[-1]["id"] == deal_id and deals[-1]["properties"]["dealstage"] == "closedlost"
    # search answers carry no associations: the connector read them (v4) for the changed deal
    assert deals[-1]["associations"]["contacts"]["results"] == [
        {"id": c, "type": "deal_to_contact"} for c in fake_hubspot.deal_contacts[deal_id]]
    assert len(fake_hubspot.calls("/crm/v4/associations/deals/contacts/batch/read")) == 1


@pytest.mark.parametrize("hubspot_options", [{"max_search_results": 50}])
def test_a_search_past_the_result_cap_restarts_from_the_last_time_seen(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy
) -> None:
    ids = _seed(fake_hubspot, contacts=120, deals=0)
    options = {"search_limit": 20, "max_search_results": 50}
    hubspot_sync(home, policy, **options)
    for contact_id in ids[:70]:
        fake_hubspot.modify("contacts", contact_id, lifecyclestage="opportunity")
    fake_hubspot.reset_log()
    result = hubspot_sync(home, policy, **options)

    changed = _landed(home, "contacts")[120:]
    assert result["contacts"] == 70 and sorted(c["id"] for c in changed) == sorted(ids[:70])
    searches = fake_hubspot.calls("/contacts/search")
    assert all(c.status == 200 for c in searches)  # never paged into the 400
    starts = [int(c.body["filterGroups"][0]["filters"][0]["value"])
              for c in searches if "after" not in c.body]
    assert len(starts) >= 3 and starts == sorted(set(starts))  # each restart moves forward
    assert max(int(c.body.get("after", 0)) + 20 for c in searches) <= 50


def test_rate_limits_with_and_without_retry_after_are_retried(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy, sleeps: list[float]
) -> None:
    _seed(fake_hubspot, contacts=150, deals=5)
    fake_hubspot.rate_limit(times=1, retry_after="1")
    fake_hubspot.rate_limit(times=2)
    result = hubspot_sync(home, policy)

    assert result["contacts"] == 150 and result["deals"] == 5
    assert [c.status for c in fake_hubspot.requests[:4]] == [429, 429, 429, 200]
    assert sleeps[0] == 1.0  # Retry-After honoured
    assert all(0 < s < 0.01 for s in sleeps[1:3])  # else exponential backoff


def test_the_daily_limit_stops_the_sync_and_the_next_one_resumes(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy
) -> None:
    ids = _seed(fake_hubspot, contacts=250, deals=5)
    fake_hubspot.rate_limit(times=1, policy="DAILY", skip=1)  # the second list page
    with pytest.raises(connector.DailyLimitReached):
        hubspot_sync(home, policy)
    assert [c.status for c in fake_hubspot.requests] == [200, 429]  # not retried
    assert len(_landed(home, "contacts")) == 100
    saved = CursorStore.for_paths(home).get("hubspot:contacts")
    assert saved is not None and saved["mode"] == "list" and saved["after"]

    hubspot_sync(home, policy)
    contacts = _landed(home, "contacts")
    assert sorted(c["id"] for c in contacts) == sorted(ids)  # resumed, none twice
    assert fake_hubspot.calls("/objects/contacts", "GET")[2].query["after"] == saved["after"]


def test_missing_token_names_the_variable(
    home: Paths, fake_hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(connector.TOKEN_ENV)
    with pytest.raises(MissingCredentialError, match=connector.TOKEN_ENV):
        hubspot_sync(home, RetryPolicy())
    assert fake_hubspot.requests == []


def test_the_token_never_reaches_logs_landing_or_cursors(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    _seed(fake_hubspot, contacts=20, deals=3)
    fake_hubspot.rate_limit(times=1)
    hubspot_sync(home, policy)
    assert "retrying" in caplog.text and fake_hubspot.token not in caplog.text
    assert fake_hubspot.token not in all_written_text(home.home)

    monkeypatch.setenv(connector.TOKEN_ENV, "pat-wrong")
    with pytest.raises(ApiError) as refused:
        hubspot_sync(home, policy)
    assert refused.value.status_code == 401 and "pat-wrong" not in str(refused.value)
    assert "pat-wrong" not in caplog.text


# --- helpers ---------------------------------------------------------------------------

def hubspot_props(kind: str) -> tuple[str, ...]:
    return connector.OBJECT_TYPES[kind].properties


def hubspot_sync(home: Paths, policy: RetryPolicy, **options: int) -> dict[str, int]:
    return connector.sync(home, policy=policy, **options)  # type: ignore[arg-type]
