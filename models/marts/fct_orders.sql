-- One row per shop order (test orders left out), attached to its contact; a recovered
-- cart when it recovers an abandoned checkout (macro order_checkout_recoveries).
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

checkouts as (
    select * from {{ ref('stg_shopify__checkouts') }}
),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

attached as (
    select
        o.*,
        {{ contact_of_phone_or_email('p.phone_e164', 'o.email') }} as contact_id
    from orders o
    left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where not o.is_test
),

abandoned as (
    select
        c.checkout_id,
        c.checkout_token,
        c.created_at,
        {{ contact_of_phone_or_email('p.phone_e164', 'c.email') }} as contact_id
    from checkouts c
    left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw and p.is_valid
),

live_orders as (
    select * from attached where cancelled_at is null
),

recovered as (
    select distinct order_id
    from ({{ order_checkout_recoveries('live_orders', 'abandoned') }}) as recoveries
),

final as (
    select
        -- ids
        o.order_id,
        o.contact_id,
        o.order_name,
        o.checkout_token,

        -- timestamps
        o.ordered_at,
        o.cancelled_at,

        -- numerics
        o.total_amount,
        o.currency,

        -- state
        case when o.cancelled_at is not null then 'cancelled' else coalesce(o.financial_status, 'unknown') end as status,
        o.fulfillment_status,
        o.first_product_title,
        r.order_id is not null as is_recovered_cart
    from attached o
    left join recovered r using (order_id)
)

select * from final
