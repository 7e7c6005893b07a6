"""The Threadline Streamlit dashboard: one query layer (`queries`), one module per section."""
