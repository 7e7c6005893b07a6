"""Ingest: landing files and source APIs into `raw.*` tables in DuckDB.

Each source module owns its raw tables and its flattening SQL; `files.py` holds what
every file-based source shares (the ledger of ingested files, line splitting, the
quarantine of records that cannot be parsed).
"""
