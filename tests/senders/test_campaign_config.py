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
