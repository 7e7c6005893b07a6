-- One row per shop order (test orders left out), attached to its contact (by the
-- order's identifiers: int_record_contacts); a recovered
-- cart when it recovers an abandoned checkout (macro order_checkout_recoveries).
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

checkouts as (
    select * from {{ ref('stg_shopify__checkouts') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

attached as (
    select
        o.*,
        rc.contact_id
    from orders o
    left join record_contacts rc on rc.record_id = 'shopify_order:' || o.order_id
    where not o.is_test
),

abandoned as (
    select
        c.checkout_id,
        c.checkout_token,
        c.created_at,
        rc.contact_id
    from checkouts c
    left join record_contacts rc on rc.record_id = 'shopify_checkout:' || c.checkout_id
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
