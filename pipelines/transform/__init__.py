"""The dbt project (models/) as Dagster assets."""
