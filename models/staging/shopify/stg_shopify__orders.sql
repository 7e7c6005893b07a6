-- One row per Shopify order, its latest version (orders are landed again when they change).
with

source as (
    select * from {{ source('raw', 'shopify_orders') }}
),

renamed as (
    select
        -- ids
        order_id,
        {{ json_text('payload', '$.name') }} as order_name,
        {{ json_text('payload', '$.customer.id') }} as shop_customer_id,
        {{ json_text('payload', '$.checkout_token') }} as checkout_token,
        {{ json_text('payload', '$.cart_token') }} as cart_token,

        -- who
        lower(trim(coalesce(
            {{ json_text('payload', '$.email') }},
            {{ json_text('payload', '$.customer.email') }}
        ))) as email,
        coalesce(
            nullif(trim({{ json_text('payload', '$.phone') }}), ''),
            nullif(trim({{ json_text('payload', '$.customer.phone') }}), ''),
            nullif(trim({{ json_text('payload', '$.billing_address.phone') }}), '')
        ) as phone_raw,
        coalesce(
            {{ json_text('payload', '$.customer.first_name') }},
            {{ json_text('payload', '$.billing_address.first_name') }}
        ) as first_name,
        coalesce(
            {{ json_text('payload', '$.customer.last_name') }},
            {{ json_text('payload', '$.billing_address.last_name') }}
        ) as last_name,
        cast(coalesce(
            {{ json_text('payload', '$.buyer_accepts_marketing') }},
            {{ json_text('payload', '$.customer.accepts_marketing') }}
        ) as boolean) as accepts_marketing,

        -- what
        {{ json_text('payload', '$.line_items[0].title') }} as first_product_title,
        cast({{ json_text('payload', '$.line_items') }} as varchar) as line_items,
        {{ json_text('payload', '$.financial_status') }} as financial_status,
        {{ json_text('payload', '$.fulfillment_status') }} as fulfillment_status,
        coalesce(cast({{ json_text('payload', '$.test') }} as boolean), false) as is_test,

        -- numerics
        {{ json_text('payload', '$.currency') }} as currency,
        cast({{ json_text('payload', '$.total_price') }} as decimal(18, 2)) as total_amount,
        cast({{ json_text('payload', '$.subtotal_price') }} as decimal(18, 2)) as subtotal_amount,
        cast({{ json_text('payload', '$.total_tax') }} as decimal(18, 2)) as tax_amount,

        -- timestamps
        {{ from_iso8601(json_text('payload', '$.created_at')) }} as ordered_at,
        {{ from_iso8601(json_text('payload', '$.updated_at')) }} as updated_at,
        {{ from_iso8601(json_text('payload', '$.cancelled_at')) }} as cancelled_at,

        cast(payload as varchar) as payload
    from source
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by order_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * from latest
