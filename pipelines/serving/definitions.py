"""Serving: the copy of the warehouse the dashboards read, published after each build."""

import dagster as dg

from pipelines.resources import pick
from pipelines.serving.assets import serving_snapshot

defs = dg.Definitions(assets=[serving_snapshot], resources=pick("warehouse"))
