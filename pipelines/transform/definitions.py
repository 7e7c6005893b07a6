"""Transform: every dbt model, seed and test (staging → intermediate → marts, segments)."""

import dagster as dg

from pipelines.resources import pick
from pipelines.transform.assets import threadline_dbt

defs = dg.Definitions(assets=[threadline_dbt], resources=pick("warehouse", "dbt"))
