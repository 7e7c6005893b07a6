-- One row per Shopify abandoned checkout, its latest version.
with

source as (
    select * from {{ source('raw', 'shopify_checkouts') }}
),

renamed as (
    select
        -- ids
        checkout_id,
        checkout_token,
        {{ json_text('payload', '$.cart_token') }} as cart_token,
        {{ json_text('payload', '$.customer.id') }} as shop_customer_id,

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
        cast({{ json_text('payload', '$.buyer_accepts_marketing') }} as boolean) as accepts_marketing,

        -- numerics
        cast({{ json_text('payload', '$.total_price') }} as decimal(18, 2)) as total_amount,
        {{ json_text('payload', '$.currency') }} as currency,
        {{ json_text('payload', '$.line_items[0].title') }} as first_product_title,

        -- timestamps
        {{ from_iso8601(json_text('payload', '$.created_at')) }} as created_at,
        {{ from_iso8601(json_text('payload', '$.updated_at')) }} as updated_at,
        {{ from_iso8601(json_text('payload', '$.completed_at')) }} as completed_at,
        cast(payload as varchar) as payload
    from source
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by checkout_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
