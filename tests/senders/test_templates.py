"""Templates: the model read in Meta's shapes, the sendable rule in check_campaign, and
template webhooks (hand-written in Meta's shape, plus the pywa fixtures) through landing
→ ingest → dbt build → marts.dim_templates, where a category change pauses a template
until a row of the template_confirmations seed confirms it."""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from senders.campaign import CAMPAIGNS_DIR, CampaignConfigError, load_campaign
from senders.templates import (
    CONFIRMATIONS_FILE,
    Confirmation,
    Template,
    TemplateCategory,
    load_templates,
    send_time_block_reason,
    template_block_reason,
)
from tests.segment_project import copy_project

FIXTURES = Path(os.environ.get("THREADLINE_SHARED_DIR", "/work/shared")) / "fixtures" / "whatsapp-cloud-api"
WABA_ID = "102290129340398"


def meta_template(**overrides) -> dict:
    """A template as GET /{WABA_ID}/message_templates returns it."""
    template = {
        "name": "spedizione_partita",
        "language": "it",
        "category": "UTILITY",
        "status": "APPROVED",
        "id": "594425479261596",
        "quality_score": {"score": "GREEN", "date": 1764000000},
        "parameter_format": "NAMED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Ordine {{order_id}}",
             "example": {"header_text_named_params": [{"param_name": "order_id", "example": "1042"}]}},
            {"type": "BODY", "text": "Ciao {{first_name}}, il tuo ordine {{order_id}} è partito.",
             "example": {"body_text_named_params": [
                 {"param_name": "first_name", "example": "Anna"},
                 {"param_name": "order_id", "example": "1042"}]}},
            {"type": "FOOTER", "text": "Vitalis"},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "text": "Segui", "url": "https://vitalis.it/t/{{1}}", "example": ["https://vitalis.it/t/1042"]},
                {"type": "QUICK_REPLY", "text": "Stop"},
                {"type": "PHONE_NUMBER", "text": "Chiama", "phone_number": "+390212345678"}]},
        ],
    }
    return {**template, **overrides}


def test_meta_template_objects_parse_with_their_parameters() -> None:
    template = Template.model_validate(meta_template())
    assert (template.id, template.quality_score, template.body_params) == ("594425479261596", "GREEN", 2)
    assert [(p.component, p.type, p.name, p.button_index) for p in template.parameters] == [
        ("header", "text", "order_id", None),
        ("body", "text", "first_name", None),
        ("body", "text", "order_id", None),
        ("button", "text", "1", 0),
    ]
    assert template.render(["Anna", "1042"]) == "Ciao Anna, il tuo ordine 1042 è partito."
    media = Template.model_validate(meta_template(
        parameter_format="POSITIONAL",
        components=[{"type": "header", "format": "DOCUMENT"}, {"type": "body", "text": "Fattura {{1}}"}],
    ))
    assert [(p.component, p.type) for p in media.parameters] == [("header", "document"), ("body", "text")]
    with pytest.raises(ValueError, match="not numbered 1..2"):
        Template.model_validate(meta_template(
            parameter_format="POSITIONAL", components=[{"type": "BODY", "text": "{{1}} {{3}}"}]
        ))
    with pytest.raises(ValueError, match="exactly one BODY"):
        Template.model_validate(meta_template(components=[{"type": "FOOTER", "text": "x"}]))


def test_only_approved_unchanged_or_confirmed_templates_are_sendable() -> None:
    template = Template.model_validate(meta_template())
    assert template_block_reason(template, confirmations=[]) is None
    assert "PAUSED" in template_block_reason(template.model_copy(update={"status": "PAUSED"}), [])
    moved = template.model_copy(update={
        "category": TemplateCategory.MARKETING, "previous_category": TemplateCategory.UTILITY
    })
    reason = template_block_reason(moved, confirmations=[])
    assert "UTILITY → MARKETING" in reason and "template_confirmations.csv" in reason
    confirmed = Confirmation("spedizione_partita", "it", "MARKETING", "giulia@vitalis.it", datetime(2026, 11, 2))
    assert template_block_reason(moved, confirmations=[confirmed]) is None
    wrong = Confirmation("spedizione_partita", "it", "UTILITY", "giulia@vitalis.it", datetime(2026, 11, 2))
    assert template_block_reason(moved, confirmations=[wrong]) is not None


def _campaign_file(tmp_path: Path, template: str) -> Path:
    document = yaml.safe_load((CAMPAIGNS_DIR / "repurchase_reminder.yaml").read_text())
    document["template"] = {"name": template, "language": "it"}
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("status", "previous", "expected"),
    [("PAUSED", None, "status is PAUSED"), ("PENDING", None, "status is PENDING"),
     ("APPROVED", "UTILITY", "UTILITY → MARKETING")],
)
def test_check_campaign_names_the_file_key_and_fix(tmp_path, status, previous, expected) -> None:
    registry = load_templates()
    key = ("riordino_integratori", "it")
    registry[key] = registry[key].model_copy(update={"status": status, "previous_category": previous})
    path = _campaign_file(tmp_path, "riordino_integratori")
    with pytest.raises(CampaignConfigError) as caught:
        load_campaign(path, registry)
    message = str(caught.value)
    assert str(path) in message and "template:" in message and expected in message
    assert "Fix:" in message


# -- webhooks → dim_templates ------------------------------------------------------------


def _change(field: str, value: dict, at: datetime) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "time": int(at.timestamp()), "changes": [{"value": value, "field": field}]}],
    }


def _template_value(name: str, template_id: int, **fields) -> dict:
    return {"message_template_id": template_id, "message_template_name": name,
            "message_template_language": "it", **fields}


def _bodies() -> list[dict]:
    at = lambda day, hour=9: datetime(2026, 11, day, hour, tzinfo=UTC)  # noqa: E731
    return [
        # ordine_spedito: approved as UTILITY, Meta announces, then makes the move to MARKETING
        _change("message_template_status_update", _template_value(
            "ordine_spedito", 901, event="APPROVED", reason="NONE", message_template_category="UTILITY"), at(1)),
        _change("template_category_update", _template_value(
            "ordine_spedito", 901, correct_category="MARKETING", new_category="UTILITY",
            category_update_timestamp=int(at(10).timestamp())), at(3)),
        _change("template_category_update", _template_value(
            "ordine_spedito", 901, previous_category="UTILITY", new_category="MARKETING"), at(10)),
        # promo_estate: paused by Meta for low quality, quality RED
        _change("message_template_quality_update", _template_value(
            "promo_estate", 902, previous_quality_score="YELLOW", new_quality_score="RED"), at(4)),
        _change("message_template_status_update", _template_value(
            "promo_estate", 902, event="PAUSED", reason="QUALITY_PENDING", message_template_category="MARKETING",
            other_info={"title": "FIRST_PAUSE", "description": "Your template has been paused for 3 hours"}),
            at(4, 10)),
        # riordino_integratori: quality only
        _change("message_template_quality_update", _template_value(
            "riordino_integratori", 903, previous_quality_score="GREEN", new_quality_score="YELLOW"), at(5)),
    ]


def _fixture_bodies() -> list[dict]:
    names = ("template_status_update.json", "template_quality_update.json", "template_category_update.json")
    return [body for name in names for body in json.loads((FIXTURES / name).read_text()).values()]


BUILD = ["build", "--select", "+dim_templates"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("templates")
    project = copy_project(root / "project")
    home = paths(root / "home").ensure()
    bodies = _bodies()
    write_jsonl(home.landing / "whatsapp" / "2026-11-10" / "templates-1.jsonl", bodies + bodies[:2])  # twice
    write_jsonl(home.landing / "whatsapp" / "2026-11-10" / "templates-fixtures.jsonl", _fixture_bodies())
    con = connect(home.warehouse)
    ingest_all(con, home)
    con.close()
    dbt(BUILD, home.home, project_dir=project)
    return project, home


def _dim(home) -> dict[tuple[str, str], dict]:
    con = connect(home.warehouse, read_only=True)
    try:
        cursor = con.execute("select * from marts.dim_templates")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return {(row["template_name"], row["template_language"]): row for row in rows}


def test_template_webhooks_pause_a_recategorized_template_until_confirmed(built):
    project, home = built
    dim = _dim(home)
    moved = dim[("ordine_spedito", "it")]
    assert (moved["category"], moved["previous_category"], moved["status"]) == ("MARKETING", "UTILITY", "APPROVED")
    assert moved["category_changed_at"] == datetime(2026, 11, 10, 9)
    assert (moved["sendable"], moved["paused_reason"], moved["upcoming_category"]) == (False, "category_changed", None)
    assert moved["template_id"] == "901"
    paused = dim[("promo_estate", "it")]
    assert (paused["status"], paused["quality_score"], paused["paused_reason"]) == ("PAUSED", "RED", "status_paused")
    assert dim[("riordino_integratori", "it")]["sendable"] is True
    # pywa's bodies: approved, rejected, quality, a category update without previous_category
    assert dim[("order_confirmation", "en_US")]["sendable"] is True
    assert dim[("abandoned_cart", "en")]["paused_reason"] == "status_rejected"
    assert dim[("welcome_template", "en_US")]["quality_score"] == "YELLOW"
    assert dim[("my_message_template", "he")]["paused_reason"] == "category_changed"

    # the sender reads the pause from the warehouse, even where the registry is unaware
    declared = load_templates()[("ordine_spedito", "it")]
    con = connect(home.warehouse, read_only=True)
    try:
        reason = template_block_reason(declared, confirmations=[], con=con)
        assert reason is not None and "UTILITY → MARKETING" in reason
        assert template_block_reason(load_templates()[("riordino_integratori", "it")], [], con) is None
        assert "UTILITY → MARKETING" in send_time_block_reason("ordine_spedito", "it", con, home.home)
        assert "not in the registry" in send_time_block_reason("nessuno", "it", con, home.home)
    finally:
        con.close()

    # a person confirms: one row in the seed, and the next build lifts the pause
    seed = project / "seeds" / CONFIRMATIONS_FILE.name
    with seed.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["ordine_spedito", "it", "MARKETING", "giulia@vitalis.it", "2026-11-10 15:00:00",
             "marketing consent checked on the audience"]
        )
    dbt(BUILD, home.home, project_dir=project)
    lifted = _dim(home)[("ordine_spedito", "it")]
    assert (lifted["sendable"], lifted["paused_reason"]) == (True, None)
    assert lifted["category_confirmed_by"] == "giulia@vitalis.it"
    assert _dim(home)[("my_message_template", "he")]["sendable"] is False
