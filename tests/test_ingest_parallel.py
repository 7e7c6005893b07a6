"""Files that need a Python parser are parsed in worker processes when there are many:
the warehouse is the same as when they are parsed one by one, bad records included."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipelines.demo import generate
from pipelines.ingest import calls, email, files
from pipelines.settings import paths
from pipelines.warehouse import connect

# each table without its load time
TABLES = {
    "raw.email_messages": "ingested_at",
    "raw.calls": "ingested_at",
    "raw.rejected_records": "rejected_at",
    "raw.ingested_files": "ingested_at",
}


def _ingest(home: Path, parallel_from: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    monkeypatch.setattr(files, "PARALLEL_FROM_FILES", parallel_from)
    monkeypatch.setattr(files, "PARALLEL_FROM_BYTES", 10**12)
    p = paths(home)
    con = connect(p.warehouse)
    results = [email.ingest(con, p.landing), calls.ingest(con, p.landing)]
    assert all(r.files for r in results)
    tables = {
        table: con.execute(f"select * exclude ({moment}) from {table} order by all").fetchall()
        for table, moment in TABLES.items()
    }
    con.close()
    return tables


def test_parsing_in_worker_processes_loads_what_one_by_one_loads(tmp_path, monkeypatch):
    generate(home=tmp_path / "one", seed=8, contacts=60, days=10, end_date=date(2026, 11, 24))
    landing = paths(tmp_path / "one").landing
    # a mailbox that is not one, beside the good ones: quarantined either way
    (landing / "email" / "broken.mbox").write_text("no From line, no headers\n", encoding="utf-8")
    shutil.copytree(tmp_path / "one", tmp_path / "pool")

    one_by_one = _ingest(tmp_path / "one", 10**9, monkeypatch)
    in_workers = _ingest(tmp_path / "pool", 2, monkeypatch)

    assert len(one_by_one["raw.email_messages"]) > 10
    assert one_by_one["raw.rejected_records"], "the broken mailbox is quarantined"
    for name, rows in one_by_one.items():
        assert in_workers[name] == rows, name
