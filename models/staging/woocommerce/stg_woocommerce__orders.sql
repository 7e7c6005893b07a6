-- One row per WooCommerce order (exports repeat an order once per line item, and an
-- order may be exported again later: the latest modification wins).
with

source as (
    select * from {{ source('raw', 'woocommerce_orders') }}
),

renamed as (
    select
        -- ids
        'woo:' || order_id as order_id,
        order_number,
        customer_id as shop_customer_id,

        -- who
        lower(trim(billing_email)) as email,
        nullif(trim(billing_phone), '') as phone_raw,
        billing_first_name as first_name,
        billing_last_name as last_name,

        -- state and numerics
        status,
        currency,
        total_amount,

        -- timestamps
        ordered_at,
        modified_at,
        cast("row" as varchar) as payload
    from source
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by order_id order by modified_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
