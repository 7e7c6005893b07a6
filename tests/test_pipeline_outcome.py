"""`make pipeline` survives a halted campaign: a campaign step that fails (the provider
said 131048 or 190) is that campaign's failed outcome, printed with its reason, while the
rest of the run (ingest, dbt, the serving snapshot) completes; any other failure still
stops the command with the step and its reason. Real Dagster runs, in process."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.cli import outcome


@dg.asset(key=["serving", "warehouse_snapshot"])
def snapshot() -> None:
    """Stands for every asset that does not depend on the campaign."""


@dg.asset(key=["senders", "spring_sale"], deps=[snapshot])
def spring_sale() -> None:
    raise dg.Failure(description="campaign spring_sale run r1 stopped: 131048 spam rate limit hit")


@dg.asset(key=["marts", "dim_contacts"])
def broken_model() -> None:
    raise RuntimeError("the warehouse is locked")


def run(*assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
    return dg.materialize(list(assets), raise_on_error=False, instance=dg.DagsterInstance.ephemeral())


def test_a_halted_campaign_is_its_own_failure_and_the_run_completes(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(snapshot, spring_sale)
    assert not result.success
    assert result.asset_materializations_for_node("serving__warehouse_snapshot")
    assert outcome("everything", result) == "ok except 1 campaign(s)"
    assert "campaign spring_sale failed: campaign spring_sale run r1 stopped: 131048" in capsys.readouterr().out


def test_any_other_failure_stops_with_the_step_and_its_reason() -> None:
    result = run(snapshot, broken_model)
    with pytest.raises(SystemExit, match=r"job everything failed \(marts__dim_contacts: .*warehouse is locked"):
        outcome("everything", result)


def test_a_clean_run_is_ok() -> None:
    assert outcome("everything", run(snapshot)) == "ok"
