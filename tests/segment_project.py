"""A copy of the dbt project with extra segments, for the segment framework's tests:
adding a segment is adding one SQL file and one YAML under models/segments/."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

# generated folders of the project, not copied
GENERATED = ("target", "logs", "dbt_packages", ".user.yml")

# a service segment any hand-written order moves people in and out of
SHOPPERS_SQL = """-- Contacts with at least one order that is not cancelled (a test-only segment).
with

orders as (
    select * from {{ ref('fct_orders') }}
    where status <> 'cancelled' and contact_id is not null
),

final as (
    select contact_id, count(*) as orders
    from orders
    group by contact_id
)

select * from final
"""

SHOPPERS_YAML = """version: 2

models:
  - name: test_shoppers
    description: Contacts with at least one order that is not cancelled.
    config:
      meta:
        owner: qa
        purpose: service
        template_columns: [orders]
    columns:
      - name: contact_id
        description: The member.
        data_tests: [unique, not_null]
      - name: orders
        description: Their orders that are not cancelled.
"""


def copy_project(target: Path) -> Path:
    """The dbt project copied to `target` (without its generated folders)."""
    shutil.copytree(DBT_PROJECT_DIR, target, ignore=shutil.ignore_patterns(*GENERATED))
    return target


def add_segment(project: Path, name: str, sql: str, yaml: str) -> None:
    (project / "segments" / f"{name}.sql").write_text(sql, encoding="utf-8")
    (project / "segments" / f"{name}.yml").write_text(yaml, encoding="utf-8")


def remove_segment(project: Path, name: str) -> None:
    for suffix in (".sql", ".yml"):
        (project / "segments" / f"{name}{suffix}").unlink()
