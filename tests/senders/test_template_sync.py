"""The template sync against the simulator over loopback: pagination, retries, the state
file and its precedence over templates.yaml; the token never leaves the header."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from pipelines.settings import paths
from senders.simulator import CloudApiSimulator
from senders.template_sync import TemplateListClient, TemplateSyncError, main, sync_templates
from senders.templates import (
    Template,
    TemplateCategory,
    TemplateStatus,
    current_templates,
    load_templates,
    synced_templates_file,
    template_block_reason,
)

WABA_ID = "102290129340398"


def _meta_registry() -> dict:
    """What 'Meta' holds: the declared templates, one of them since moved to MARKETING
    by Meta, plus one the YAML does not declare."""
    declared = load_templates()
    moved = declared[("ordine_spedito", "it")].model_copy(
        update={
            "category": TemplateCategory.MARKETING,
            "previous_category": TemplateCategory.UTILITY,
            "id": "880011223344",
        }
    )
    extra = Template.model_validate(
        {
            "name": "benvenuto",
            "language": "it",
            "category": "UTILITY",
            "status": "APPROVED",
            "id": 1234567890,
            "quality_score": {"score": "GREEN"},
            "components": [
                {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1h"]}},
                {"type": "BODY", "text": "Ciao {{1}}, benvenuto!", "example": {"body_text": [["Anna"]]}},
                {"type": "FOOTER", "text": "Vitalis"},
            ],
        }
    )
    return {**declared, moved.key: moved, extra.key: extra}


@pytest.fixture
def meta(tmp_path: Path):
    with CloudApiSimulator(
        tmp_path / "landing", waba_id=WABA_ID, token="sync-secret-77", templates=_meta_registry()
    ) as simulator:
        yield simulator


def _client(meta: CloudApiSimulator, **options) -> TemplateListClient:
    return TemplateListClient(meta.base_url, "sync-secret-77", WABA_ID, page_size=3, backoff_base=0.001, **options)


def test_three_pages_land_in_the_state_file_and_take_precedence(meta, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    home = paths(tmp_path / "home").ensure()
    target = synced_templates_file(home)
    with _client(meta) as client:
        result = sync_templates(client, target)
    assert (result.templates, result.pages, result.skipped) == (len(_meta_registry()), 3, [])
    assert len(meta.template_list_requests) == 3
    assert "after=" not in meta.template_list_requests[0]
    assert all("after=" in request for request in meta.template_list_requests[1:])
    assert all("fields=name%2Clanguage%2Ccategory%2Cstatus%2Ccomponents" in r for r in meta.template_list_requests)

    document = json.loads(target.read_text())
    assert document["waba_id"] == WABA_ID
    assert sorted(t["name"] for t in document["data"]) == sorted(n for n, _ in _meta_registry())
    assert "sync-secret-77" not in target.read_text()
    assert "sync-secret-77" not in caplog.text

    registry = current_templates(home.home)
    moved = registry[("ordine_spedito", "it")]
    assert (moved.category, moved.previous_category, moved.id) == ("MARKETING", "UTILITY", "880011223344")
    assert template_block_reason(moved, confirmations=[]) is not None
    welcome = registry[("benvenuto", "it")]
    assert welcome.quality_score == "GREEN" and welcome.id == "1234567890"
    assert [(p.component, p.type) for p in welcome.parameters] == [("header", "image"), ("body", "text")]
    assert registry[("promo_estate", "it")].status is TemplateStatus.PAUSED  # declared, unchanged


def test_a_429_is_retried_then_the_sync_succeeds(meta, tmp_path):
    meta.fail_template_lists(429, 503)
    with _client(meta) as client:
        result = sync_templates(client, tmp_path / "templates.json")
    assert result.templates == len(_meta_registry())
    assert len(meta.template_list_requests) == 3 + 2  # the first page asked three times


def test_a_persistent_error_keeps_the_previous_state(meta, tmp_path):
    target = tmp_path / "templates.json"
    target.write_text('{"data": []}')
    meta.fail_template_lists(500, 500, 500)
    with _client(meta, max_attempts=3) as client, pytest.raises(TemplateSyncError, match="HTTP 500"):
        sync_templates(client, target)
    assert target.read_text() == '{"data": []}'


def test_a_wrong_token_is_not_retried_and_not_shown(meta, tmp_path):
    with TemplateListClient(meta.base_url, "wrong-token-x", WABA_ID) as client:
        with pytest.raises(TemplateSyncError, match="code 190") as caught:
            sync_templates(client, tmp_path / "templates.json")
    assert "wrong-token-x" not in str(caught.value)
    assert len(meta.template_list_requests) == 1


def test_the_cli_reads_the_environment(meta, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("THREADLINE_WHATSAPP_TOKEN", "sync-secret-77")
    monkeypatch.setenv("THREADLINE_WHATSAPP_WABA_ID", WABA_ID)
    monkeypatch.setenv("THREADLINE_WHATSAPP_API_URL", meta.base_url)
    assert main(["--home", str(tmp_path / "home")]) == 0
    out = capsys.readouterr().out
    assert f"{len(_meta_registry())} templates from 1 pages" in out and "sync-secret-77" not in out
    monkeypatch.delenv("THREADLINE_WHATSAPP_TOKEN")
    assert main(["--home", str(tmp_path / "home")]) == 1
    assert "THREADLINE_WHATSAPP_TOKEN" in capsys.readouterr().out


def test_a_category_change_in_the_simulator_reaches_the_next_sync_and_landing(meta, tmp_path):
    meta.set_template_status("riordino_integratori", "it", "PAUSED", reason="QUALITY_PENDING")
    landed = meta.change_template_category("conferma_appuntamento", "it", "MARKETING")
    body = json.loads(landed.read_text())
    change = body["entry"][0]["changes"][0]
    assert change["field"] == "template_category_update"
    assert change["value"]["previous_category"] == "UTILITY"
    assert change["value"]["new_category"] == "MARKETING"
    assert change["value"]["message_template_name"] == "conferma_appuntamento"
    with _client(meta) as client:
        sync_templates(client, tmp_path / "templates.json")
    registry = load_templates(synced=tmp_path / "templates.json")
    moved = registry[("conferma_appuntamento", "it")]
    assert (moved.category, moved.previous_category) == ("MARKETING", "UTILITY")
    assert "UTILITY → MARKETING" in template_block_reason(moved, confirmations=[])
    assert "PAUSED" in template_block_reason(registry[("riordino_integratori", "it")], [])


def test_the_dagster_asset_syncs_through_the_resource_the_environment_picks(tmp_path):
    import dagster as dg

    from pipelines.resources import WarehouseResource
    from senders.template_assets import template_registry
    from senders.template_sync import CloudApiTemplateSource, SimulatorTemplateSource, template_source

    assert isinstance(template_source({}), SimulatorTemplateSource)
    real = template_source({"THREADLINE_WHATSAPP_TOKEN": "EAAG-x", "THREADLINE_WHATSAPP_WABA_ID": WABA_ID})
    assert isinstance(real, CloudApiTemplateSource) and real.waba_id == WABA_ID
    home = tmp_path / "home"
    result = dg.materialize(
        [template_registry],
        resources={"warehouse": WarehouseResource(home=str(home)), "templates": SimulatorTemplateSource()},
    )
    assert result.success
    assert set(current_templates(home)) == set(load_templates())
    assert json.loads((home / "state" / "templates.json").read_text())["data"]
