-- One row per shop order (test orders left out), attached to its contact.
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

final as (
    select
        -- ids
        o.order_id,
        {{ contact_of_phone_or_email('p.phone_e164', 'o.email') }} as contact_id,
        o.order_name,

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
        -- abandoned checkouts are not ingested yet: no order is a recovered cart so far
        false as is_recovered_cart
    from orders o
    left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where not o.is_test
)

select * from final
