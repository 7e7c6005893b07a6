{#- Helpers of the KPI marts, dispatched so that the same models run on another engine. -#}

{# UTC timestamp -> wall-clock time in `tz_column`'s zone (DST-aware); the inverse of local_to_utc #}
{% macro utc_to_local(utc_ts, tz_column) -%}
    {{ return(adapter.dispatch('utc_to_local', 'threadline')(utc_ts, tz_column)) }}
{%- endmacro %}
{% macro default__utc_to_local(utc_ts, tz_column) -%}
    timezone({{ tz_column }}, timezone('UTC', {{ utc_ts }}))
{%- endmacro %}
{% macro spark__utc_to_local(utc_ts, tz_column) -%}
    from_utc_timestamp({{ utc_ts }}, {{ tz_column }})
{%- endmacro %}

{# the local calendar day of a UTC timestamp in `tz_column`'s zone #}
{% macro local_day(utc_ts, tz_column) -%}
    cast({{ utc_to_local(utc_ts, tz_column) }} as date)
{%- endmacro %}

{# the UTC moment a local day ends (midnight that starts the next local day) #}
{% macro local_day_end_utc(day, tz_column) -%}
    {{ local_to_utc('cast(' ~ dbt.dateadd('day', 1, day) ~ ' as timestamp)', tz_column) }}
{%- endmacro %}

{# continuous percentile (interpolated) of a numeric expression; p in [0, 1] #}
{% macro percentile(expr, p) -%}
    {{ return(adapter.dispatch('percentile', 'threadline')(expr, p)) }}
{%- endmacro %}
{% macro default__percentile(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}
{% macro spark__percentile(expr, p) -%}
    percentile({{ expr }}, {{ p }})
{%- endmacro %}

{#- Cart recovery (DESIGN.md): an order recovers an abandoned checkout when it carries the
    checkout's own token, or when it is an order of the same contact placed after the
    checkout and within var('cart_recovery_window_days'). fct_orders.is_recovered_cart
    and kpi_cart_recovery both use this one rule: the (order_id, ordered_at, checkout_id)
    pairs of `orders` and `checkouts` (relations or CTEs with order_id, ordered_at,
    checkout_token, contact_id / checkout_id, checkout_token, contact_id, created_at).
    Two equi-joins, not one join on "token or contact", which only a nested loop can do. -#}
{% macro order_checkout_recoveries(orders, checkouts) -%}
    select o.order_id, o.ordered_at, c.checkout_id
    from {{ orders }} as o
    join {{ checkouts }} as c on o.checkout_token = c.checkout_token
    union
    select o.order_id, o.ordered_at, c.checkout_id
    from {{ orders }} as o
    join {{ checkouts }} as c
      on o.contact_id = c.contact_id
     and o.ordered_at > c.created_at
     and o.ordered_at <= {{ dbt.dateadd('day', var('cart_recovery_window_days'), 'c.created_at') }}
{%- endmacro %}
