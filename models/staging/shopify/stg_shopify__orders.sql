-- One row per Shopify order, its latest version (orders are landed again when they change).
with

source as (
    select * from {{ source('raw', 'shopify_orders') }}
),

extracted as (
    {{ json_fields('source', 'payload', {
        'j_name': '$.name',
        'j_customer_id': '$.customer.id',
        'j_checkout_token': '$.checkout_token',
        'j_cart_token': '$.cart_token',
        'j_email': '$.email',
        'j_customer_email': '$.customer.email',
        'j_phone': '$.phone',
        'j_customer_phone': '$.customer.phone',
        'j_billing_address_phone': '$.billing_address.phone',
        'j_customer_first_name': '$.customer.first_name',
        'j_billing_address_first_name': '$.billing_address.first_name',
        'j_customer_last_name': '$.customer.last_name',
        'j_billing_address_last_name': '$.billing_address.last_name',
        'j_buyer_accepts_marketing': '$.buyer_accepts_marketing',
        'j_customer_accepts_marketing': '$.customer.accepts_marketing',
        'j_email_marketing_state': '$.customer.email_marketing_consent.state',
        'j_email_marketing_opt_in_level': '$.customer.email_marketing_consent.opt_in_level',
        'j_email_marketing_updated_at': '$.customer.email_marketing_consent.consent_updated_at',
        'j_sms_marketing_state': '$.customer.sms_marketing_consent.state',
        'j_sms_marketing_opt_in_level': '$.customer.sms_marketing_consent.opt_in_level',
        'j_sms_marketing_updated_at': '$.customer.sms_marketing_consent.consent_updated_at',
        'j_whatsapp_marketing_state': '$.customer.whatsapp_marketing_consent.state',
        'j_whatsapp_marketing_updated_at': '$.customer.whatsapp_marketing_consent.consent_updated_at',
        'j_whatsapp_marketing_updated_at_gql': '$.customer.whatsapp_marketing_consent.updatedAt',
        'j_line_items_0_title': '$.line_items[0].title',
        'j_line_items': '$.line_items',
        'j_financial_status': '$.financial_status',
        'j_fulfillment_status': '$.fulfillment_status',
        'j_test': '$.test',
        'j_currency': '$.currency',
        'j_total_price': '$.total_price',
        'j_subtotal_price': '$.subtotal_price',
        'j_total_tax': '$.total_tax',
        'j_created_at': '$.created_at',
        'j_updated_at': '$.updated_at',
        'j_cancelled_at': '$.cancelled_at',
    }) }}
),

renamed as (
    select
        -- ids
        order_id,
        j_name as order_name,
        j_customer_id as shop_customer_id,
        j_checkout_token as checkout_token,
        j_cart_token as cart_token,

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
        coalesce(
            j_customer_first_name,
            j_billing_address_first_name
        ) as first_name,
        coalesce(
            j_customer_last_name,
            j_billing_address_last_name
        ) as last_name,
        cast(coalesce(
            j_buyer_accepts_marketing,
            j_customer_accepts_marketing
        ) as boolean) as accepts_marketing,

        -- the customer's marketing consent per channel (REST customer.*_marketing_consent)
        lower(j_email_marketing_state) as email_marketing_state,
        lower(j_email_marketing_opt_in_level) as email_marketing_opt_in_level,
        {{ from_iso8601('j_email_marketing_updated_at') }} as email_marketing_updated_at,
        lower(j_sms_marketing_state) as sms_marketing_state,
        lower(j_sms_marketing_opt_in_level) as sms_marketing_opt_in_level,
        {{ from_iso8601('j_sms_marketing_updated_at') }} as sms_marketing_updated_at,
        lower(j_whatsapp_marketing_state) as whatsapp_marketing_state,
        {{ from_iso8601('coalesce(j_whatsapp_marketing_updated_at, j_whatsapp_marketing_updated_at_gql)') }} as whatsapp_marketing_updated_at,

        -- what
        j_line_items_0_title as first_product_title,
        cast(j_line_items as varchar) as line_items,
        j_financial_status as financial_status,
        j_fulfillment_status as fulfillment_status,
        coalesce(cast(j_test as boolean), false) as is_test,

        -- numerics
        j_currency as currency,
        cast(j_total_price as decimal(18, 2)) as total_amount,
        cast(j_subtotal_price as decimal(18, 2)) as subtotal_amount,
        cast(j_total_tax as decimal(18, 2)) as tax_amount,

        -- timestamps
        {{ from_iso8601('j_created_at') }} as ordered_at,
        {{ from_iso8601('j_updated_at') }} as updated_at,
        {{ from_iso8601('j_cancelled_at') }} as cancelled_at,

        cast(payload as varchar) as payload
    from extracted
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by order_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
