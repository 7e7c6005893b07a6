"""Threadline dashboard: `streamlit run dashboards/app.py`.

Reads only the serving snapshot the pipeline publishes ($THREADLINE_HOME/serving/
warehouse.duckdb), read-only, one fresh connection per batch of queries.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `streamlit run` puts only dashboards/ on sys.path
    sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402

from dashboards import sidebar  # noqa: E402
from dashboards.sections import campaigns, response_times, segments, volume  # noqa: E402
from dashboards.snapshot import find_snapshot  # noqa: E402
from pipelines.settings import paths  # noqa: E402

NO_SNAPSHOT = (
    "There is no data to show yet: the pipeline has not published a serving snapshot "
    "(expected at `{path}`). Run `make pipeline` first, then reload this page."
)


def main() -> None:
    st.set_page_config(
        page_title="Threadline · Conversations",
        page_icon="💬",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    st.title("Threadline")
    st.caption("How fast customers get an answer, how much they write, and how campaigns land.")

    serving = paths().serving_warehouse
    snapshot = find_snapshot(serving)
    if snapshot is None:
        st.info(NO_SNAPSHOT.format(path=serving))
        return

    filters = sidebar.render(snapshot)
    response_times.render(snapshot, filters)
    st.divider()
    volume.render(snapshot, filters)
    st.divider()
    campaigns.render(snapshot)
    st.divider()
    segments.render(snapshot)


main()
