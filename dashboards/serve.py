"""`python -m dashboards.serve [streamlit options]`: serve the dashboard app.

Streamlit runs the app script in a thread per browser session, and the first sessions of
a cold server import pandas, altair, polars and duckdb at the same moment; two threads
importing one package can meet it half-initialized ("partially initialized module
'pandas' has no attribute 'Timestamp'"). So everything the app imports is imported here,
once, in the main thread, before the server takes its first session.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def preload() -> None:
    """Import what the app and Streamlit's chart elements use, fully, in this thread."""
    import altair  # noqa: F401
    import duckdb  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import polars  # noqa: F401
    import pyarrow  # noqa: F401
    import streamlit  # noqa: F401
    import streamlit.elements.lib.column_config_utils  # noqa: F401
    import streamlit.elements.vega_charts  # noqa: F401

    # the app's own modules (app.py itself renders when run, so it runs per session)
    import dashboards.charts  # noqa: F401
    import dashboards.queries  # noqa: F401
    import dashboards.formatting  # noqa: F401
    import dashboards.sections.campaigns  # noqa: F401
    import dashboards.sections.response_times  # noqa: F401
    import dashboards.sections.segments  # noqa: F401
    import dashboards.sections.volume  # noqa: F401
    import pipelines.settings  # noqa: F401
    import dashboards.sidebar  # noqa: F401
    import dashboards.snapshot  # noqa: F401


def main(argv: list[str]) -> None:
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
