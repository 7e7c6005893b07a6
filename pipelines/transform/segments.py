"""The project's segments as the dbt manifest declares them: every model under
models/segments/ except the framework's own (tagged `segment_framework`), the same rule
as the `segment_nodes` macro. Python reads segments from here (campaign checks, the
serving snapshot's dependencies), never from a list of its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FRAMEWORK_TAG = "segment_framework"


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    owner: str | None
    purpose: str | None
    channel: str | None
    template_columns: tuple[str, ...]
    columns: tuple[str, ...]
    sql_file: str


@dataclass(frozen=True)
class ProjectSegments:
    segments: dict[str, Segment]
    contact_columns: tuple[str, ...]  # marts.dim_contacts, as its YAML documents it


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    return node.get("config", {}).get("meta") or node.get("meta") or {}


def is_segment(node: dict[str, Any]) -> bool:
    return (
        node.get("resource_type") == "model"
        and node.get("original_file_path", "").replace("\\", "/").startswith("segments/")
        and FRAMEWORK_TAG not in node.get("tags", [])
    )


def from_manifest(manifest: Path) -> ProjectSegments:
    """The segments of the project `manifest` (target/manifest.json) describes."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    segments = {}
    contact_columns: tuple[str, ...] = ()
    for node in nodes:
        if node.get("resource_type") == "model" and node["name"] == "dim_contacts":
            contact_columns = tuple(node.get("columns", {}))
        if not is_segment(node):
            continue
        meta = _meta(node)
        segments[node["name"]] = Segment(
            name=node["name"],
            description=node.get("description", ""),
            owner=meta.get("owner"),
            purpose=meta.get("purpose"),
            channel=meta.get("channel"),
            template_columns=tuple(meta.get("template_columns") or ()),
            columns=tuple(node.get("columns", {})),
            sql_file=f"models/{node['original_file_path']}",
        )
    return ProjectSegments(dict(sorted(segments.items())), contact_columns)


def project_segments() -> ProjectSegments:
    """The segments of the dbt project (parsed first when the manifest is missing or stale)."""
    from pipelines.transform.manifest import ensure_manifest

    return from_manifest(ensure_manifest())
