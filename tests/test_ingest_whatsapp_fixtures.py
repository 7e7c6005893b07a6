"""Every body in ../shared/fixtures/whatsapp-cloud-api/ ingests, none rejected, each case
landing where it belongs: messages, statuses, or the change of its own field."""

from __future__ import annotations

import pytest

from pipelines.ingest import whatsapp
from pipelines.landing import write_jsonl
from pipelines.transform.build import build
from pipelines.warehouse import connect
from tests.conftest import FIXTURES, fixture_cases

FILES = sorted(p.name for p in FIXTURES.glob("*.json"))


def _items(body: dict, key: str) -> list[dict]:
    return [
        item
        for entry in body["entry"]
        for change in entry.get("changes", [])
        for item in change["value"].get(key, []) or []
    ]


def _fields(body: dict) -> list[str]:
    return [change["field"] for entry in body["entry"] for change in entry.get("changes", [])]


def test_fixture_folder_is_there():
    assert len(FILES) >= 12, f"expected the shared fixtures at {FIXTURES}"


@pytest.mark.parametrize("name", FILES)
def test_fixture_file_ingests_without_rejects(name, home):
    cases = fixture_cases(name)
    write_jsonl(
        home.landing / "whatsapp" / "fixtures" / name.replace(".json", ".jsonl"),
        list(cases.values()),
    )
    con = connect(home.warehouse)
    result = whatsapp.ingest(con, home.landing)

    assert result.rejected == 0
    assert result.lines == len(cases)
    assert con.execute("select count(*) from raw.rejected_records").fetchone()[0] == 0

    for case, body in cases.items():
        for message in _items(body, "messages"):
            found = con.execute(
                "select count(*) from raw.whatsapp_messages "
                "where message ->> 'id' = ? and message ->> 'type' = ?",
                [message["id"], message["type"]],
            ).fetchone()[0]
            assert found >= 1, (
                f"{name}:{case}: message {message['type']} not in raw.whatsapp_messages"
            )
        for status in _items(body, "statuses"):
            found = con.execute(
                "select count(*) from raw.whatsapp_statuses "
                "where status ->> 'id' = ? and status ->> 'status' = ?",
                [status["id"], status["status"]],
            ).fetchone()[0]
            assert found >= 1, (
                f"{name}:{case}: status {status['status']} not in raw.whatsapp_statuses"
            )
        for field in _fields(body):
            found = con.execute(
                "select count(*) from raw.whatsapp_changes where field = ?", [field]
            ).fetchone()[0]
            assert found >= 1, f"{name}:{case}: change {field} not in raw.whatsapp_changes"
    # the raw value is kept whole: nothing Meta sent is lost
    raw_total = con.execute("select count(*) from raw.whatsapp_changes").fetchone()[0]
    assert raw_total == sum(len(_fields(body)) for body in cases.values())
    con.close()


def test_all_fixtures_reach_staging(home):
    bodies = [body for name in FILES for body in fixture_cases(name).values()]
    write_jsonl(home.landing / "whatsapp" / "fixtures" / "all.jsonl", bodies)
    con = connect(home.warehouse)
    from pipelines.ingest.sources import ingest_all

    ingest_all(con, home)
    con.close()
    build(home.home)

    con = connect(home.warehouse, read_only=True)
    types = {
        r[0]
        for r in con.execute(
            "select distinct message_type from staging.stg_whatsapp__messages"
        ).fetchall()
    }
    statuses = {
        r[0]
        for r in con.execute(
            "select distinct status from staging.stg_whatsapp__statuses"
        ).fetchall()
    }
    fields = {
        r[0]
        for r in con.execute(
            "select distinct field from staging.stg_whatsapp__business_events"
        ).fetchall()
    }
    preferences = con.execute(
        "select preference_value from staging.stg_whatsapp__user_preferences order by 1"
    ).fetchall()
    failed = con.execute(
        "select error_code from staging.stg_whatsapp__statuses where status = 'failed'"
    ).fetchall()
    referral = con.execute(
        "select referral_source_id, ctwa_clid from staging.stg_whatsapp__messages "
        "where referral_source_id is not null"
    ).fetchall()
    template_events = con.execute(
        "select template_name, event from staging.stg_whatsapp__business_events "
        "where field = 'message_template_status_update' order by event"
    ).fetchall()
    con.close()

    expected_types = {m["type"] for body in bodies for m in _items(body, "messages")}
    # wamids repeat across pywa's cases (many share "wamid.xyzxyz"): dedup keeps one
    # row per id, so at least one of each id's types is there
    assert {"text", "button", "interactive", "system", "revoke", "edit"} <= types | expected_types
    assert types <= expected_types
    assert {"sent", "delivered", "read", "failed", "played"} <= statuses
    assert {
        "account_update",
        "message_template_status_update",
        "template_category_update",
        "message_template_quality_update",
        "user_preferences",
    } <= fields
    expected_preferences = sorted(
        pref["value"] for body in bodies for pref in _items(body, "user_preferences")
    )
    assert [p[0] for p in preferences] == expected_preferences
    assert (130472,) in failed
    assert referral, "the click-to-WhatsApp referral case must keep its ad id"
    assert [e[1] for e in template_events] == ["APPROVED", "REJECTED"]
