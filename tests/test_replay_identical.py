"""A landing folder replayed three times, in shuffled order, gives identical tables."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

from pipelines.demo import generate
from pipelines.ingest.sources import ingest_all
from pipelines.settings import paths
from pipelines.transform.build import build
from pipelines.warehouse import connect

TABLES = [
    "marts.fct_messages",
    "marts.fct_conversations",
    "marts.dim_contacts",
    "marts.fct_orders",
    "marts.fct_timeline",
    "marts.kpi_support_daily",
    "segments.repurchase_due",
]


def _build(home: Path) -> dict[str, list[tuple]]:
    p = paths(home).ensure()
    con = connect(p.warehouse)
    ingest_all(con, p)
    con.close()
    build(home, {"as_of": "2026-11-24 23:00:00"})
    con = connect(p.warehouse, read_only=True)
    tables = {t: con.execute(f"select * from {t} order by all").fetchall() for t in TABLES}
    con.close()
    return tables


def _replay_shuffled(source: Path, target: Path, rng: random.Random) -> None:
    """Every landing file three times, under other names, JSONL lines shuffled."""
    for replay in range(3):
        files = [f for f in source.rglob("*") if f.is_file()]
        rng.shuffle(files)
        for n, f in enumerate(files):
            relative = f.relative_to(source)
            destination = target / relative.parent / f"replay{replay}-{n:05d}-{f.name}"
            destination.parent.mkdir(parents=True, exist_ok=True)
            if f.suffix == ".jsonl":
                lines = f.read_text(encoding="utf-8").splitlines()
                rng.shuffle(lines)
                destination.write_text("\n".join(lines) + "\n", encoding="utf-8")
            else:
                shutil.copy(f, destination)


def test_three_shuffled_replays_build_the_same_tables(tmp_path):
    once = tmp_path / "once"
    generate(home=once, seed=5, contacts=60, days=30, end_date=date(2026, 11, 24))
    thrice = tmp_path / "thrice"
    _replay_shuffled(paths(once).landing, paths(thrice).ensure().landing, random.Random(9))

    expected = _build(once)
    replayed = _build(thrice)
    for table in TABLES:
        assert replayed[table] == expected[table], table
    assert expected["marts.fct_messages"], "the demo set must not be empty"
