-- The send ledger: one row per audience member of a campaign run, sent or skipped.
with

source as (
    select * from {{ source('raw', 'campaign_sends') }}
),

renamed as (
    select
        -- ids
        cast(campaign_id as varchar) as campaign_id,
        cast(run_id as varchar) as run_id,
        cast(contact_id as varchar) as contact_id,
        cast(wamid as varchar) as message_id,
        cast(phone as varchar) as phone_raw,

        -- what was sent
        cast(variant as varchar) as variant,
        cast(is_holdout as boolean) as is_holdout,
        cast(template_name as varchar) as template_name,
        cast(template_language as varchar) as template_language,
        cast(status as varchar) as ledger_status,
        cast(skip_reason as varchar) as skip_reason,
        cast(error_code as integer) as error_code,
        cast(error_detail as varchar) as error_detail,

        -- timestamps
        {{ from_iso8601('reserved_at') }} as reserved_at,
        {{ from_iso8601('sent_at') }} as sent_at
    from source
)

select * from renamed
