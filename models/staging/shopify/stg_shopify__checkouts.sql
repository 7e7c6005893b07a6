-- One row per Shopify abandoned checkout, its latest version.
with

source as (
    select * from {{ source('raw', 'shopify_checkouts') }}
),

extracted as (
    {{ json_fields('source', 'payload', {
        'j_cart_token': '$.cart_token',
        'j_customer_id': '$.customer.id',
        'j_email': '$.email',
        'j_customer_email': '$.customer.email',
        'j_phone': '$.phone',
        'j_customer_phone': '$.customer.phone',
        'j_billing_address_phone': '$.billing_address.phone',
        'j_buyer_accepts_marketing': '$.buyer_accepts_marketing',
        'j_buyer_accepts_sms_marketing': '$.buyer_accepts_sms_marketing',
        'j_email_marketing_state': '$.customer.email_marketing_consent.state',
        'j_email_marketing_updated_at': '$.customer.email_marketing_consent.consent_updated_at',
        'j_sms_marketing_state': '$.customer.sms_marketing_consent.state',
        'j_sms_marketing_updated_at': '$.customer.sms_marketing_consent.consent_updated_at',
        'j_total_price': '$.total_price',
        'j_currency': '$.currency',
        'j_line_items_0_title': '$.line_items[0].title',
        'j_created_at': '$.created_at',
        'j_updated_at': '$.updated_at',
        'j_completed_at': '$.completed_at',
    }) }}
),

renamed as (
    select
        -- ids
        checkout_id,
        checkout_token,
        j_cart_token as cart_token,
        j_customer_id as shop_customer_id,

        -- who
        lower(trim(coalesce(
            j_email,
            j_customer_email
        ))) as email,
        coalesce(
            nullif(trim(j_phone), ''),
            nullif(trim(j_customer_phone), ''),
            nullif(trim(j_billing_address_phone), '')
        ) as phone_raw,
        cast(j_buyer_accepts_marketing as boolean) as accepts_marketing,
        cast(j_buyer_accepts_sms_marketing as boolean) as accepts_sms_marketing,
        lower(j_email_marketing_state) as email_marketing_state,
        {{ from_iso8601('j_email_marketing_updated_at') }} as email_marketing_updated_at,
        lower(j_sms_marketing_state) as sms_marketing_state,
        {{ from_iso8601('j_sms_marketing_updated_at') }} as sms_marketing_updated_at,

        -- numerics
        cast(j_total_price as decimal(18, 2)) as total_amount,
        j_currency as currency,
        j_line_items_0_title as first_product_title,

        -- timestamps
        {{ from_iso8601('j_created_at') }} as created_at,
        {{ from_iso8601('j_updated_at') }} as updated_at,
        {{ from_iso8601('j_completed_at') }} as completed_at,
        cast(payload as varchar) as payload
    from extracted
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by checkout_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
