"""The landing sensor asks for one refresh run per change of the landing folder."""

from __future__ import annotations

import dagster as dg

from pipelines.ingest.sensors import landing_sensor
from pipelines.landing import write_jsonl
from pipelines.resources import WarehouseResource


def test_sensor_requests_a_run_once_per_change(home):
    context = dg.build_sensor_context(resources={"warehouse": WarehouseResource(home=str(home.home))})
    assert isinstance(landing_sensor(context), dg.SkipReason)

    write_jsonl(home.landing / "whatsapp" / "d" / "a.jsonl", [{"object": "x", "entry": []}])
    (home.landing / "whatsapp" / "d" / "b.jsonl.part").write_text("half")
    first = landing_sensor(context)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1

    context = dg.build_sensor_context(
        cursor=first.cursor, resources={"warehouse": WarehouseResource(home=str(home.home))}
    )
    assert isinstance(landing_sensor(context), dg.SkipReason), "a .part file is not a change"

    write_jsonl(home.landing / "chatwoot" / "d" / "c.jsonl", [{"event": "x"}])
    second = landing_sensor(context)
    assert isinstance(second, dg.SensorResult) and second.cursor != first.cursor
