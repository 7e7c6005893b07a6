{#- Time helpers. Every timestamp in the warehouse is a UTC `timestamp` (no zone). -#}

{# Unix seconds (number or string) -> UTC timestamp #}
{% macro from_unix_seconds(expr) -%}
    {{ return(adapter.dispatch('from_unix_seconds', 'threadline')(expr)) }}
{%- endmacro %}
{% macro default__from_unix_seconds(expr) -%}
    make_timestamp(cast(cast({{ expr }} as double) * 1000000 as bigint))
{%- endmacro %}
{% macro spark__from_unix_seconds(expr) -%}
    timestamp_seconds(cast({{ expr }} as bigint))
{%- endmacro %}

{# ISO-8601 text with an offset ("2026-05-01T10:00:00+02:00", "...Z") -> UTC timestamp #}
{% macro from_iso8601(expr) -%}
    {{ return(adapter.dispatch('from_iso8601', 'threadline')(expr)) }}
{%- endmacro %}
{% macro default__from_iso8601(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}
{% macro spark__from_iso8601(expr) -%}
    to_utc_timestamp(cast({{ expr }} as timestamp), 'UTC')
{%- endmacro %}

{# wall-clock time in `tz_column`'s zone -> UTC timestamp (DST-aware) #}
{% macro local_to_utc(local_ts, tz_column) -%}
    {{ return(adapter.dispatch('local_to_utc', 'threadline')(local_ts, tz_column)) }}
{%- endmacro %}
{% macro default__local_to_utc(local_ts, tz_column) -%}
    timezone('UTC', timezone({{ tz_column }}, {{ local_ts }}))
{%- endmacro %}
{% macro spark__local_to_utc(local_ts, tz_column) -%}
    to_utc_timestamp({{ local_ts }}, {{ tz_column }})
{%- endmacro %}

{# whole seconds from a to b (b later gives a positive number) #}
{% macro seconds_between(a, b) -%}
    {{ return(adapter.dispatch('seconds_between', 'threadline')(a, b)) }}
{%- endmacro %}
{% macro default__seconds_between(a, b) -%}
    cast(epoch({{ b }}) - epoch({{ a }}) as bigint)
{%- endmacro %}
{% macro spark__seconds_between(a, b) -%}
    cast(unix_timestamp({{ b }}) - unix_timestamp({{ a }}) as bigint)
{%- endmacro %}

{# seconds of the opening-hours range `hours` (a row of int_business_hours) that fall
   between `start` and `end` (0 when they do not overlap) #}
{% macro open_seconds_between(start, end, hours='b') -%}
    greatest(0, {{ seconds_between(
        'greatest(' ~ start ~ ', ' ~ hours ~ '.opens_at)',
        'least(' ~ end ~ ', ' ~ hours ~ '.closes_at)'
    ) }})
{%- endmacro %}

{# one row per day from start_date to end_date inclusive, column `day` (date) #}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'threadline')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day)) as date) as day
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as day
{%- endmacro %}

{# the moment segments are evaluated at: var('as_of') if set, else now #}
{% macro as_of() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}
