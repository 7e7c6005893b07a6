{#- `dbt source freshness` on the raw tables (staging/sources.yml): dbt's own query,
    max(loaded_at_field) of the table, except for a raw table that has never been loaded.

    dbt reads an empty table as loaded "infinitely long ago" (ERROR STALE) and a table
    that does not exist as a runtime error, and either makes the whole command fail. Here
    neither is a fault: every source of the project is declared, and a deployment only
    feeds some of them (the ingest creates a source's table the first time it runs, and
    the table stays empty until that source delivers a file). So a table that does not
    exist yet, or has no row yet, is reported as not measured: a log line says so, and
    its result is a pass with max_loaded_at = snapshotted_at. Once a source has delivered
    anything, its freshness is dbt's, thresholds and all.

    This overrides dbt's dispatched `collect_freshness` for DuckDB (the root project comes
    first when dbt dispatches its own macros); other adapters keep dbt's default. -#}
{% macro duckdb__collect_freshness(source, loaded_at_field, filter) %}
    {%- set relation = load_relation(source) -%}
    {%- if relation is not none -%}
        {%- set result = default__collect_freshness(source, loaded_at_field, filter) -%}
        {%- if result.table[0][0] is not none -%}
            {{ return(result) }}
        {%- endif -%}
        {%- set why = "has no rows yet" -%}
    {%- else -%}
        {%- set why = "does not exist yet" -%}
    {%- endif -%}
    {{ log("Freshness of " ~ source ~ " not measured: the table " ~ why ~ " (never loaded).", info=true) }}
    {% call statement('collect_freshness_never_loaded', fetch_result=True, auto_begin=False) -%}
        select {{ current_timestamp() }} as max_loaded_at, {{ current_timestamp() }} as snapshotted_at
    {%- endcall %}
    {{ return(load_result('collect_freshness_never_loaded')) }}
{% endmacro %}
