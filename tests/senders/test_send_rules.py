"""The rules checked at send time, against the loopback simulator and a real SQLite ledger
(and a real DuckDB warehouse where consent, the service window or 131026 are read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.privacy import tombstones
from senders.audience import AudienceMember, load_audience
from senders.campaign import (
    CAMPAIGNS_DIR,
    Campaign,
    CampaignConfigError,
    FrequencyCap,
    QuietHours,
    TemplateRef,
    Variant,
    load_campaign,
)
from senders.ledger import SendLedger, SendRow
from senders.policy import WarehouseFacts, assign_variant, erased_checker, local_zone, quiet_until
from senders.programme import GlobalControl, Programme, load_programme
from senders.provider import CloudApiClient
from senders.run import SendRules, run_campaign
from senders.simulator import CloudApiSimulator

MemberFactory = Callable[..., AudienceMember]
ROME_22 = datetime(2025, 6, 2, 20, 0, tzinfo=UTC)  # 22:00 in Rome (CEST)
ROME_0905 = datetime(2025, 6, 3, 7, 5, tzinfo=UTC)  # 09:05 the next morning


def sent_to(sim: CloudApiSimulator) -> list[str]:
    return [body["to"] for body in sim.requests]


def statuses(ledger: SendLedger) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(r["run_id"], r["contact_id"]): (r["status"], r["skip_reason"]) for r in ledger.rows()}


def fill(con: duckdb.DuckDBPyConnection, members: list[AudienceMember]) -> None:
    for m in members:
        con.execute(
            "insert into segments.repurchase_due values (?, ?, ?)",
            [m.contact_id, m.variables["first_name"], m.variables["last_product"]],
        )
        con.execute("insert into marts.dim_contacts values (?, ?, true)", [m.contact_id, m.phone_e164])
        con.execute(
            "insert into marts.dim_consent values (?, 'marketing', 'whatsapp', 'granted')",
            [m.contact_id],
        )


def test_consent_revoked_after_the_audience_was_built_is_not_sent(
    campaign: Campaign,
    member: MemberFactory,
    warehouse: duckdb.DuckDBPyConnection,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    fill(warehouse, [member("c1", "01"), member("c2", "02")])
    audience = load_audience(warehouse, campaign)
    assert [m.marketing_consent for m in audience] == [True, True]  # the snapshot says yes
    # c2 writes STOP; the consent mart is rebuilt before the campaign gets to send
    warehouse.execute("update marts.dim_consent set state = 'denied' where contact_id = 'c2'")

    rules = SendRules(facts=WarehouseFacts(warehouse))
    summary = run_campaign(campaign, audience, ledger, client, "run-1", send_time, rules)
    assert (summary.accepted, dict(summary.skipped)) == (1, {"no_consent": 1})
    assert sent_to(sim) == [audience[0].phone_e164]
    assert statuses(ledger)[("run-1", "c2")] == ("skipped", "no_consent")

    # a UTILITY template needs no marketing consent, but a `service` denial blocks it
    shipped = campaign.model_copy(
        update={
            "campaign_id": "shipping_notice",
            "template": TemplateRef(name="ordine_spedito", language="it"),
            "variables": {1: "first_name", 2: "last_product", 3: "last_product"},
        }
    )
    warehouse.execute("insert into marts.dim_consent values ('c1', 'service', 'whatsapp', 'denied')")
    utility = run_campaign(shipped, audience, ledger, client, "run-1", send_time, rules)
    assert (utility.accepted, dict(utility.skipped)) == (1, {"no_consent": 1})
    assert sent_to(sim)[-1] == audience[1].phone_e164


def test_quiet_hours_hold_the_message_until_they_end(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
) -> None:
    quiet = campaign.model_copy(update={"quiet_hours": QuietHours(start="21:00", end="09:00")})
    audience = [member("c1", "01")]
    night = run_campaign(quiet, audience, ledger, client, "day-1", ROME_22)
    assert (night.held, night.accepted, sum(night.skipped.values())) == (1, 0, 0)
    assert sim.requests == [] and ledger.rows() == []
    (held,) = ledger.holds()
    assert (held["run_id"], held["not_before"]) == ("day-1", "2025-06-03T07:00:00.000000+00:00")

    still_night = run_campaign(quiet, audience, ledger, client, "day-1", ROME_22 + timedelta(hours=8))
    assert (still_night.held, len(sim.requests)) == (1, 0)  # 06:00 in Rome: still quiet

    # the next morning's run (a new run id) releases the hold under its own run
    morning = run_campaign(quiet, audience, ledger, client, "day-2", ROME_0905)
    assert (morning.released, morning.accepted, dict(morning.skipped)) == (1, 1, {"sent_recently": 1})
    assert statuses(ledger) == {
        ("day-1", "c1"): ("accepted", None),
        ("day-2", "c1"): ("skipped", "sent_recently"),
    }
    assert ledger.holds() == []
    for run_id in ("day-1", "day-2"):
        again = run_campaign(quiet, audience, ledger, client, run_id, ROME_0905)
        assert (again.accepted, again.released, again.already_in_ledger) == (0, 0, 1)
    assert sent_to(sim) == [audience[0].phone_e164]


def test_quiet_hours_are_the_contacts_local_time() -> None:
    quiet = QuietHours(start="21:00", end="09:00")
    rome, sao_paulo = local_zone("+393331234501", "UTC"), local_zone("+5511987654321", "UTC")
    assert (str(rome), str(sao_paulo)) == ("Europe/Rome", "America/Sao_Paulo")
    at = datetime(2025, 6, 2, 11, 0, tzinfo=UTC)  # 13:00 in Rome, 08:00 in São Paulo
    assert quiet_until(quiet, at, rome) is None
    assert quiet_until(quiet, at, sao_paulo) == datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    # a country with several zones falls back to the campaign's time zone
    assert str(local_zone("+12125550100", "Europe/Rome")) in {"America/New_York", "Europe/Rome"}


def test_a_frequency_cap_holds_across_two_campaigns(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    cap = FrequencyCap(max_messages=1, days=7)
    first = campaign.model_copy(update={"frequency_cap": cap})
    second = campaign.model_copy(update={"campaign_id": "winback", "frequency_cap": cap})
    audience = [member("c1", "01"), member("c2", "02")]
    assert run_campaign(first, audience[:1], ledger, client, "r1", send_time).accepted == 1
    capped = run_campaign(second, audience, ledger, client, "r1", send_time + timedelta(days=2))
    assert (capped.accepted, dict(capped.skipped)) == (1, {"frequency_cap": 1})
    assert [r["skip_reason"] for r in ledger.rows("winback")] == ["frequency_cap", None]
    later = run_campaign(second, audience[:1], ledger, client, "r2", send_time + timedelta(days=8))
    assert later.accepted == 1
    assert sent_to(sim) == [audience[0].phone_e164, audience[1].phone_e164, audience[0].phone_e164]


def test_the_messaging_limit_counts_unique_recipients_outside_the_window(
    campaign: Campaign,
    member: MemberFactory,
    warehouse: duckdb.DuckDBPyConnection,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    earlier = send_time - timedelta(hours=3)
    for n in range(250):  # another campaign of the same number reached 250 people today
        row = SendRow(
            "other",
            "r1",
            f"o{n}",
            f"+39333000{n:04d}",
            "riordino_integratori",
            "it",
            inbox_id=campaign.inbox_id,
            template_category="MARKETING",
        )
        ledger.reserve(row, now=earlier, resend_after_days=0)
        ledger.complete(row, "accepted", wamid=f"wamid.o{n}", sent_at=earlier)
    audience = [
        member("again", phone="+393330000007"),  # already one of the 250: not a new one
        member("new", "01"),
        member("chatting", "02"),  # wrote to the business an hour ago: inside the window
    ]
    fill(warehouse, audience)
    warehouse.execute(
        "insert into marts.fct_messages values ('chatting', 'whatsapp', 'inbound', ?, null)",
        [(send_time - timedelta(hours=1)).replace(tzinfo=None)],
    )
    limited = campaign.model_copy(update={"messaging_limit": 250})
    rules = SendRules(facts=WarehouseFacts(warehouse))
    summary = run_campaign(limited, audience, ledger, client, "r1", send_time, rules)
    assert (summary.accepted, dict(summary.skipped)) == (2, {"messaging_limit": 1})
    assert statuses(ledger)[("r1", "new")] == ("skipped", "messaging_limit")
    assert sorted(sent_to(sim)) == sorted([audience[0].phone_e164, audience[2].phone_e164])
    # a day later the window has rolled
    tomorrow = run_campaign(limited, audience[1:2], ledger, client, "r2", send_time + timedelta(1))
    assert tomorrow.accepted == 1


def test_tombstoned_and_undeliverable_numbers_get_no_request(
    campaign: Campaign,
    member: MemberFactory,
    warehouse: duckdb.DuckDBPyConnection,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    tmp_path: Path,
    send_time: datetime,
) -> None:
    audience = [member("erased", "01"), member("no-wa", "02"), member("failed-before", "03"), member("fine", "04")]
    fill(warehouse, audience)
    state = tmp_path / "state"
    key = tombstones.normalise(audience[0].phone_e164)
    tombstones.record(state, [tombstones.key_hash(tombstones.checked_salt(state), key)])
    # a status webhook said 131026 for no-wa's last campaign message (fct_messages)...
    warehouse.execute(
        "insert into marts.fct_messages values ('no-wa', 'whatsapp', 'outbound', ?, 131026)",
        [(send_time - timedelta(days=5)).replace(tzinfo=None)],
    )
    # ...and the API refused failed-before's number with 131026 (the ledger)
    refused = SendRow("other", "r0", "failed-before", audience[2].phone_e164, "riordino_integratori", "it")
    ledger.reserve(refused, now=send_time - timedelta(days=2), resend_after_days=0)
    ledger.complete(refused, "failed", error_code=131026, error_detail="Message undeliverable")

    rules = SendRules(facts=WarehouseFacts(warehouse), erased=erased_checker(state))
    summary = run_campaign(campaign, audience, ledger, client, "r1", send_time, rules)
    assert (summary.accepted, dict(summary.skipped)) == (1, {"erased": 1, "undeliverable": 2})
    assert sent_to(sim) == [audience[3].phone_e164]


def test_a_dry_run_decides_everything_and_sends_nothing(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    audience = [member("c1", "01"), member("c2", "02"), member("c3", "03", consent=False)]
    dry = campaign.model_copy(update={"dry_run": True, "audience_limit": 1})
    summary = run_campaign(dry, audience, ledger, client, "r1", send_time)
    assert summary.dry_run and summary.run_id == "r1:dry_run"
    assert (summary.would_send, summary.accepted) == (1, 0)
    assert dict(summary.skipped) == {"dry_run": 1, "audience_limit": 1, "no_consent": 1}
    assert sim.requests == []
    # the dry run's rows do not stand in the way of the real run
    real = run_campaign(campaign, audience, ledger, client, "r1", send_time)
    assert (real.accepted, dict(real.skipped)) == (2, {"no_consent": 1})


def test_a_template_paused_since_the_campaign_was_loaded_is_not_sent(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    """Meta re-categorised the template after the campaign was loaded (a webhook in
    marts.dim_templates): every member is skipped `template_paused`, asked once per run."""
    asked: list[tuple[str, str]] = []

    def blocked(name: str, language: str) -> str | None:
        asked.append((name, language))
        return "Meta changed its category UTILITY → MARKETING"

    audience = [member("c1", "01"), member("c2", "02")]
    summary = run_campaign(campaign, audience, ledger, client, "r1", send_time, SendRules(template_blocked=blocked))
    assert (summary.accepted, dict(summary.skipped)) == (0, {"template_paused": 2})
    assert sim.requests == [] and len(asked) == 1
    # confirmed: the next run sends
    after = run_campaign(campaign, audience, ledger, client, "r2", send_time, SendRules())
    assert after.accepted == 2


def test_the_global_control_group_is_stable_and_gets_no_marketing(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    control = GlobalControl(percent=20)
    rules = SendRules(programme=Programme(global_control=control))
    audience = [member(f"c{n:03d}", "01") for n in range(40)]
    expected = {m.contact_id for m in audience if control.includes(m.contact_id)}
    assert 0 < len(expected) < 20
    other = campaign.model_copy(update={"campaign_id": "another_campaign"})
    for each in (campaign, other):
        summary = run_campaign(each, audience, ledger, client, "r1", send_time, rules)
        skipped = {r["contact_id"] for r in ledger.rows(each.campaign_id) if r["skip_reason"] == "global_control"}
        assert skipped == expected and summary.accepted == 40 - len(expected)
    assert not {m.phone_e164 for m in audience if m.contact_id in expected} & set(sent_to(sim))


def test_ab_variants_are_assigned_by_hash_and_recorded(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    send_time: datetime,
) -> None:
    variants = [Variant(name="a", percent=50), Variant(name="b", percent=50)]
    split = campaign.model_copy(update={"variants": variants})
    audience = [member(f"c{n:03d}", "01") for n in range(30)]
    run_campaign(split, audience, ledger, client, "r1", send_time)
    recorded = {r["contact_id"]: r["variant"] for r in ledger.rows()}
    assert recorded == {m.contact_id: assign_variant(split.campaign_id, m.contact_id, variants).name for m in audience}
    assert set(recorded.values()) == {"a", "b"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"variants": [{"name": "a", "percent": 60}, {"name": "b", "percent": 30}]},
            r"variants: .*add up to 90; make them add up to 100",
        ),
        ({"quiet_hours": {"start": "9pm", "end": "09:00"}}, r"quiet_hours\.start: .*pattern"),
        ({"messaging_limit": 300}, r"messaging_limit"),
        ({"frequency_cap": {"max_messages": 0, "days": 7}}, r"frequency_cap\.max_messages"),
        (
            {"variants": [{"name": "a", "percent": 100, "template": {"name": "promo_estate", "language": "it"}}]},
            r"variants\.0\.template: .*PAUSED",
        ),
    ],
)
def test_campaign_fields_are_validated_with_the_file_and_key(
    tmp_path: Path, overrides: dict[str, object], message: str
) -> None:
    document = yaml.safe_load((Path(__file__).parents[2] / "senders/campaigns/repurchase_reminder.yaml").read_text())
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump({**document, **overrides}), encoding="utf-8")
    with pytest.raises(CampaignConfigError, match=message) as caught:
        load_campaign(path)
    assert str(path) in str(caught.value)


def test_the_shipped_programme_and_its_errors(tmp_path: Path) -> None:
    shipped = load_programme()
    assert shipped.global_control.percent == 5
    assert shipped.messaging_limit_for("vitalis-shop") == 2000
    assert shipped.messaging_limit_for("vitalis-shop", "unlimited") is None
    broken = tmp_path / "programme.yaml"
    broken.write_text("global_control: {percent: 120}\nmessaging_limit: 500\n", encoding="utf-8")
    with pytest.raises(CampaignConfigError, match=r"programme\.yaml: global_control\.percent.*messaging_limit"):
        load_programme(broken)


def test_a_blank_variable_takes_its_fallback_and_one_without_is_skipped(
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
    tmp_path: Path,
) -> None:
    shipped = yaml.safe_load((CAMPAIGNS_DIR / "repurchase_reminder.yaml").read_text(encoding="utf-8"))
    shipped["holdout_percent"] = 0
    shipped["variables"] = {1: {"column": "first_name", "fallback": "cliente"}, 2: "last_product"}
    path = tmp_path / "repurchase_reminder.yaml"
    path.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    campaign = load_campaign(path)
    nameless = member("c1", "01")
    nameless.variables["first_name"] = "  "
    productless = member("c2", "02")
    productless.variables["last_product"] = None

    summary = run_campaign(campaign, [nameless, productless], ledger, client, "run-1", send_time)
    assert (summary.accepted, dict(summary.skipped)) == (1, {"missing_variable": 1})
    (body,) = sim.requests
    (component,) = body["template"]["components"]
    assert [p["text"] for p in component["parameters"]][0] == "cliente"
    assert statuses(ledger)[("run-1", "c2")] == ("skipped", "missing_variable")
