"""Threadline's Dagster code location: ingest, dbt, serving, sensors and schedules."""
