"""The segment framework picks up a segment from its two files alone: a new SQL + YAML in
a copy of the dbt project is a Dagster asset and a segment of the project; a segment that
breaks the contract stops the build with an error naming the file and the fix; a campaign
is checked against the segments' YAML."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines.transform.build import dbt
from pipelines.transform.segments import ProjectSegments, Segment, from_manifest
from senders.campaign import CAMPAIGNS_DIR, CampaignConfigError, load_campaign, load_templates
from tests.segment_project import SHOPPERS_SQL, SHOPPERS_YAML, add_segment, copy_project

REPO = Path(__file__).resolve().parents[1]


def test_a_new_segment_is_a_dagster_asset(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "models")
    add_segment(project, "test_shoppers", SHOPPERS_SQL, SHOPPERS_YAML)
    probe = (
        "import json; from pipelines.definitions import defs; "
        "print(json.dumps(sorted(k.to_user_string() for k in defs.resolve_all_asset_keys())))"
    )
    env = {
        **os.environ,
        "THREADLINE_DBT_PROJECT_DIR": str(project),
        "THREADLINE_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    keys = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"segments/test_shoppers", "segments/repurchase_due", "segments/segment_catalog"} <= keys
    assert {"segments/segment_membership_history", "raw/segment_membership_state"} <= keys

    segments = from_manifest(project / "target" / "manifest.json").segments
    assert "segment_catalog" not in segments  # the framework's own models are no segments
    shoppers = segments["test_shoppers"]
    assert (shoppers.owner, shoppers.purpose, shoppers.template_columns) == ("qa", "service", ("orders",))
    assert shoppers.sql_file == "models/segments/test_shoppers.sql"


BAD_SQL = "select contact_id, first_name from {{ ref('dim_contacts') }}\n"
# marketing, no owner, a template column the YAML does not have, no consent test
BAD_YAML = """version: 2

models:
  - name: test_bad
    description: Everybody, for a promotion.
    config:
      meta:
        purpose: marketing
        channel: whatsapp
        template_columns: [first_name, favourite_colour]
    columns:
      - name: contact_id
        description: The member.
      - name: first_name
        description: For the greeting.
"""
# no purpose, no template_columns, no contact_id
VAGUE_YAML = """version: 2

models:
  - name: test_vague
    description: Some people.
    config:
      meta:
        owner: qa
    columns:
      - name: first_name
        description: For the greeting.
"""


def readme_example() -> tuple[str, str]:
    """The SQL and the YAML of README's "Adding a segment" example, as an analyst copies them."""
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Adding a segment")[1]
    blocks = re.findall(r"```(sql|yaml)\n(.*?)```", text, flags=re.DOTALL)
    sql, yaml = (textwrap.dedent(body) for _, body in blocks[:2])
    return sql, yaml


def test_a_segment_that_breaks_the_contract_stops_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "models")
    add_segment(project, "big_spenders", *readme_example())
    add_segment(project, "test_bad", BAD_SQL, BAD_YAML)
    add_segment(project, "test_vague", BAD_SQL, VAGUE_YAML)
    (tmp_path / "home").mkdir()
    result = dbt(["run", "--select", "test_bad"], tmp_path / "home", check=False, project_dir=project)
    assert result.returncode != 0
    text = " ".join(result.stdout.split())
    where = "models/segments/test_bad.sql (YAML models/segments/test_bad.yml)"
    assert "Segment contract not met" in text
    assert f"{where}: config.meta.owner is missing; add `owner: <team or person>`" in text
    assert f"{where}: template column `favourite_colour` is not a column of the YAML" in text
    assert (
        f"{where}: a marketing segment needs the consent test; add under the model "
        "`data_tests: - marketing_consent_granted"
    ) in text
    vague = "models/segments/test_vague.sql (YAML models/segments/test_vague.yml)"
    assert f"{vague}: config.meta.purpose is missing; set `purpose: marketing`" in text
    assert f"{vague}: config.meta.template_columns is missing" in text
    assert f"{vague}: no `contact_id` column in the YAML" in text
    problems = text.split("Segment contract not met")[1]
    assert "repurchase_due" not in problems  # the shipped segment and README's example are fine
    assert "big_spenders" not in problems
    assert "START sql table model" not in text  # nothing was built


PROJECT = ProjectSegments(
    segments={
        "due": Segment(
            "due", "", "marketing", "marketing", "whatsapp", ("first_name", "last_product"), (), "segments/due.sql"
        ),
        "tickets": Segment(
            "tickets", "", "support", "service", None, ("first_name",), (), "models/segments/tickets.sql"
        ),
    },
    contact_columns=("contact_id", "display_name", "first_name"),
)


@pytest.mark.parametrize(
    ("segment", "variables", "message"),
    [
        (
            "nope",
            {1: "first_name", 2: "last_product"},
            "segment: 'nope' is not a segment of models/segments/ (segments: due, tickets)",
        ),
        (
            "tickets",
            {1: "first_name", 2: "display_name"},
            "segment: tickets has purpose 'service' (models/segments/tickets.sql); the MARKETING template",
        ),
        (
            "due",
            {1: "first_name", 2: "colour"},
            "variables.2: 'colour' is neither a template column of segment due (first_name, last_product) "
            "nor a column of marts.dim_contacts",
        ),
    ],
)
def test_a_campaign_is_checked_against_the_segments(
    tmp_path: Path, segment: str, variables: dict[int, str], message: str
) -> None:
    text = (CAMPAIGNS_DIR / "repurchase_reminder.yaml").read_text(encoding="utf-8")
    text = text.replace("segment: repurchase_due", f"segment: {segment}")
    text = text.replace("  1: first_name\n  2: last_product\n", "".join(f"  {n}: {c}\n" for n, c in variables.items()))
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignConfigError) as error:
        load_campaign(path, load_templates(), PROJECT)
    assert str(error.value).startswith(f"{path}: {message}")


def test_a_campaign_on_a_matching_segment_loads(tmp_path: Path) -> None:
    text = (CAMPAIGNS_DIR / "repurchase_reminder.yaml").read_text(encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text(text.replace("segment: repurchase_due", "segment: due"), encoding="utf-8")
    assert load_campaign(path, load_templates(), PROJECT).segment == "due"
