-- Every customer (a non-cancelled order up to as_of) scored 1-5 on recency, frequency and
-- monetary value (quintiles among customers) and named by tier. Rules in rfm_tiers.yml.
with

orders as (
    {{ segment_orders() }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

customers as (
    select
        contact_id,
        max(ordered_at) as last_order_at,
        count(*) as frequency,
        -- monetary value in EUR: orders in another currency are left out, not converted
        coalesce(sum(case when coalesce(currency, 'EUR') = 'EUR' then total_amount end), 0) as monetary_eur
    from orders
    group by contact_id
),

measured as (
    select
        *,
        cast(floor({{ seconds_between('last_order_at', as_of()) }} / 86400) as integer) as recency_days
    from customers
),

-- quintiles (ntile 5, ties broken by contact_id so a rebuild agrees) ...
bucketed as (
    select
        *,
        ntile(5) over (order by recency_days desc, contact_id) as recency_tile,
        ntile(5) over (order by frequency, contact_id) as frequency_tile,
        ntile(5) over (order by monetary_eur, contact_id) as monetary_tile
    from measured
),

-- ... and equal values share one score: the lowest quintile their value reaches
scored as (
    select
        *,
        min(recency_tile) over (partition by recency_days) as recency_score,
        min(frequency_tile) over (partition by frequency) as frequency_score,
        min(monetary_tile) over (partition by monetary_eur) as monetary_score
    from bucketed
),

tiered as (
    select
        *,
        cast(floor((frequency_score + monetary_score + 1) / 2.0) as integer) as value_score
    from scored
),

final as (
    select
        t.contact_id,
        c.first_name,
        c.display_name,
        t.last_order_at,
        t.recency_days,
        cast(t.frequency as bigint) as frequency,
        cast(t.monetary_eur as decimal(18, 2)) as monetary_eur,
        cast(t.recency_score as integer) as recency_score,
        cast(t.frequency_score as integer) as frequency_score,
        cast(t.monetary_score as integer) as monetary_score,
        cast(t.recency_score as {{ dbt.type_string() }})
            || cast(t.frequency_score as {{ dbt.type_string() }})
            || cast(t.monetary_score as {{ dbt.type_string() }}) as rfm_code,
        case
            when t.recency_score >= 4 and t.value_score >= 4 then 'champions'
            when t.recency_score >= 3 and t.value_score >= 3 then 'loyal'
            when t.recency_score >= 3 then 'potential'
            when t.value_score >= 3 then 'at_risk'
            when t.recency_score = 2 then 'hibernating'
            else 'lost'
        end as rfm_tier
    from tiered t
    join contacts c using (contact_id)
)

select * from final
