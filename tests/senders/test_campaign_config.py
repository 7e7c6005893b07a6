"""Template registry and campaign files: what ships, and the clear errors for what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from senders.campaign import (
    CampaignConfigError,
    TemplateCategory,
    TemplateStatus,
    load_campaign,
    load_campaigns,
    load_templates,
)


def write_campaign(folder: Path, name: str = "c.yaml", **overrides: object) -> Path:
    document: dict[str, object] = {
        "campaign_id": "test_campaign",
        "segment": "repurchase_due",
        "inbox_id": "vitalis-shop",
        "template": {"name": "riordino_integratori", "language": "it"},
        "variables": {1: "first_name", 2: "last_product"},
        "schedule": {"cron": "0 10 * * *", "timezone": "Europe/Rome"},
        "resend_after_days": 30,
    }
    document.update(overrides)
    path = folder / name
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_shipped_registry_has_the_repurchase_template() -> None:
    template = load_templates()[("riordino_integratori", "it")]
    assert template.category is TemplateCategory.MARKETING
    assert template.status is TemplateStatus.APPROVED
    assert template.body_params == 2
    assert template.render(["Giulia", "Magnesio Plus"]) == (
        "Ciao Giulia, sono passati quasi 30 giorni dal tuo ordine di Magnesio Plus. "
        "Vuoi riordinare? Rispondi SI e ti prepariamo il pacco."
    )


def test_shipped_campaigns_load() -> None:
    (campaign,) = load_campaigns()
    assert campaign.campaign_id == "repurchase_reminder"
    assert campaign.segment_relation == "segments.repurchase_due"
    assert (campaign.template.name, campaign.template.language) == ("riordino_integratori", "it")
    assert campaign.variables == {1: "first_name", 2: "last_product"}
    assert (campaign.schedule.cron, campaign.schedule.timezone) == ("0 10 * * *", "Europe/Rome")
    assert campaign.resend_after_days == 30
    assert campaign.inbox_id == "vitalis-shop"
    params = campaign.body_params({"first_name": "Luca", "last_product": "Omega 3", "x": 1})
    assert params == ["Luca", "Omega 3"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"template": {"name": "nope", "language": "it"}}, "unknown template 'nope'"),
        (
            {"template": {"name": "riordino_integratori", "language": "en"}},
            "languages available: it",
        ),
        ({"template": {"name": "promo_estate", "language": "it"}}, "is PAUSED"),
        ({"template": {"name": "sconto_ultima_chance", "language": "it"}}, "is REJECTED"),
        ({"variables": {1: "first_name"}}, "takes 2 body parameters but the campaign maps 1"),
        ({"variables": {1: "first_name", 3: "last_product"}}, "numbered 1..n"),
        ({"schedule": {"cron": "0 25 * * *"}}, "invalid cron field"),
        ({"schedule": {"cron": "every day"}}, "cron needs 5 fields"),
        ({"schedule": {"cron": "0 10 * * *", "timezone": "Europe/Milano"}}, "unknown time zone"),
        ({"segment": "Repurchase Due"}, "segment"),
        ({"holdout_percent": 100}, "holdout_percent"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_campaign_errors_are_clear(tmp_path: Path, overrides: dict, message: str) -> None:
    path = write_campaign(tmp_path, **overrides)
    with pytest.raises(CampaignConfigError, match=message) as caught:
        load_campaign(path)
    assert str(path) in str(caught.value)


def test_duplicate_campaign_ids_are_refused(tmp_path: Path) -> None:
    write_campaign(tmp_path, "a.yaml")
    write_campaign(tmp_path, "b.yaml")
    with pytest.raises(CampaignConfigError, match="duplicate campaign_id 'test_campaign'"):
        load_campaigns(tmp_path)


def test_template_placeholders_must_match_param_count(tmp_path: Path) -> None:
    registry = tmp_path / "templates.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "templates": [
                    {
                        "name": "broken",
                        "language": "it",
                        "category": "UTILITY",
                        "status": "APPROVED",
                        "body": "Ciao {{1}}, ordine {{3}}",
                        "body_params": 2,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CampaignConfigError, match=r"template #0: .*do not match body_params=2"):
        load_templates(registry)


# -- every component's parameters: fallbacks, header, buttons ------------------------------

COUPON_FILLS: dict[str, object] = {
    "template": {"name": "riordino_coupon", "language": "it"},
    "variables": {1: {"column": "first_name", "fallback": "cliente"}, 2: "last_product"},
    "header": {"image": {"value": "https://cdn.vitalis.example/riordino.jpg"}},
    "buttons": {
        0: {"url": {"column": "last_product", "fallback": "catalogo"}},
        1: {"quick_reply": {"value": "non-ora"}},
        2: {"copy_code": {"value": "RIORDINO10"}},
    },
}


def test_a_campaign_fills_header_body_and_buttons(tmp_path: Path) -> None:
    campaign = load_campaign(write_campaign(tmp_path, **COUPON_FILLS))
    # `variables` stays body number -> column; the fallbacks are kept beside it
    assert campaign.variables == {1: "first_name", 2: "last_product"}
    assert campaign.variable_fallbacks == {1: "cliente"}
    assert campaign.columns == ["first_name", "last_product"]
    assert campaign.components({"first_name": "Luca", "last_product": "omega-3"}) == [
        {"type": "header", "parameters": [
            {"type": "image", "image": {"link": "https://cdn.vitalis.example/riordino.jpg"}}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Luca"}, {"type": "text", "text": "omega-3"}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "omega-3"}]},
        {"type": "button", "sub_type": "quick_reply", "index": "1",
         "parameters": [{"type": "payload", "payload": "non-ora"}]},
        {"type": "button", "sub_type": "copy_code", "index": "2",
         "parameters": [{"type": "coupon_code", "coupon_code": "RIORDINO10"}]},
    ]


def test_blank_values_take_the_fallback_else_are_missing(tmp_path: Path) -> None:
    campaign = load_campaign(write_campaign(tmp_path, **COUPON_FILLS))
    blank_name = {"first_name": "  ", "last_product": "omega-3"}
    assert campaign.missing_variables(blank_name) == []
    assert campaign.body_params(blank_name) == ["cliente", "omega-3"]
    # last_product feeds the body (no fallback) and the URL button (fallback): missing
    assert campaign.missing_variables({"first_name": "Luca", "last_product": None}) == ["last_product"]
    with pytest.raises(ValueError, match="last_product"):
        campaign.components({"first_name": "Luca"})
    shipped = load_campaign(write_campaign(tmp_path))  # the old form: bare columns
    assert shipped.missing_variables({"first_name": "", "last_product": "x"}) == ["first_name"]
    assert shipped.components({"first_name": "Ada", "last_product": "x"}) == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ada"}, {"type": "text", "text": "x"}]}
    ]


def test_a_text_header_is_filled_by_number(tmp_path: Path) -> None:
    path = write_campaign(
        tmp_path,
        template={"name": "consegna_in_arrivo", "language": "it"},
        variables={1: "first_name", 2: "last_product"},
        header={"text": {1: {"column": "last_product", "fallback": "in arrivo"}}},
        buttons={0: {"url": "last_product"}},
    )
    campaign = load_campaign(path)
    components = campaign.components({"first_name": "Ada", "last_product": ""} | {"last_product": "A-1"})
    assert components[0] == {"type": "header", "parameters": [{"type": "text", "text": "A-1"}]}


@pytest.mark.parametrize(
    ("overrides", "key", "fix"),
    [
        ({"header": None}, "header:", "add `header: {image: ...}`"),
        ({"header": {"video": {"value": "https://x.example/v.mp4"}}}, "header:", "use `header: {image: ...}`"),
        ({"header": {"image": {"value": "https://x.example/a.jpg"}, "text": {1: "first_name"}}},
         "header", "exactly one of text, image, video, document"),
        ({"buttons": {0: {"url": "last_product"}, 1: {"quick_reply": {"value": "x"}}}},
         "buttons.2", "add `buttons: {2: {copy_code: ...}}`"),
        ({"buttons": {0: {"quick_reply": {"value": "x"}}, 2: {"copy_code": {"value": "C"}}}},
         "buttons.0", "use `0: {url: ...}`"),
        ({"buttons": {0: {"url": "last_product"}, 2: {"copy_code": {"value": "C"}}, 5: {"url": "first_name"}}},
         "buttons.5", "use the button's index"),
        ({"buttons": {0: {"url": {"column": "coupon_column"}}, 2: {"copy_code": {"value": "C"}}}},
         "buttons.0.url", "neither a template column"),
        ({"buttons": {0: {"url": {"value": "a", "fallback": "b"}}, 2: {"copy_code": {"value": "C"}}}},
         "buttons.0.url", "needs no `fallback`"),
        ({"buttons": {0: {"url": {}}, 2: {"copy_code": {"value": "C"}}}},
         "buttons.0.url", "either `column`"),
        ({"variables": {1: {"value": "Ciao"}, 2: "last_product"}}, "variables.1", "fixed text belongs"),
        ({"variables": {1: {"column": "first_name", "fallback": ""}, 2: "last_product"}},
         "variable_fallbacks.1", "at least 1 character"),
    ],
)
def test_fill_errors_name_the_file_key_and_fix(tmp_path: Path, overrides: dict, key: str, fix: str) -> None:
    document = {**COUPON_FILLS, **overrides}
    document = {k: v for k, v in document.items() if v is not None}
    path = write_campaign(tmp_path, **document)
    with pytest.raises(CampaignConfigError) as caught:
        load_campaign(path)
    message = str(caught.value)
    assert str(path) in message and key in message and fix in message, message


def test_a_body_only_template_refuses_header_and_buttons(tmp_path: Path) -> None:
    with pytest.raises(CampaignConfigError, match="has no header parameter. Fix: remove `header:`"):
        load_campaign(write_campaign(tmp_path, header={"text": {1: "first_name"}}))
    with pytest.raises(CampaignConfigError, match=r"buttons.0: .* has 0 buttons"):
        load_campaign(write_campaign(tmp_path, buttons={0: {"url": "first_name"}}))
