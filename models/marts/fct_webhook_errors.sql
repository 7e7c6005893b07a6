-- One row per error Meta reported for a whole webhook change (value.errors), with the
-- inbox of the number it concerns and, where the Cloud API documents the code, what it
-- means for the business.
with

errors as (
    select * from {{ ref('stg_whatsapp__webhook_errors') }}
),

inbox_keys as (
    select * from {{ ref('int_inbox_keys') }}
),

final as (
    select
        -- ids
        e.error_id,
        e.waba_id,
        e.phone_number_id,
        k.inbox_id,

        -- the error
        e.error_code,
        e.error_title,
        e.error_message,
        e.error_details,
        e.error_href,

        -- timestamps
        e.occurred_at,
        e.last_occurred_at,

        -- how often it was delivered, and where it was first read
        e.deliveries,
        e.file,
        e.line_no
    from errors e
    left join inbox_keys k on k.key_kind = 'whatsapp_phone_number_id' and k.key_value = e.phone_number_id
)

select * from final
