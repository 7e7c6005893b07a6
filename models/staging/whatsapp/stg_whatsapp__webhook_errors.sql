-- Errors Meta reports for a whole webhook change (`entry[].changes[].value.errors`: the
-- number could not receive or deliver something, an unsupported message, a throttled
-- app), one row per error. Errors of one message or status stay on that row
-- (stg_whatsapp__messages, stg_whatsapp__statuses). A change carries no time of its
-- own: the entry's time when Meta gave one, else when the body was ingested.
-- The same error delivered again is one row (deliveries counts them).
with

source as (
    select * from {{ source('raw', 'whatsapp_changes') }}
    where field = 'messages'
),

errors as (
    select
        file,
        line_no,
        entry_index,
        change_index,
        waba_id,
        phone_number_id,
        display_phone_number,
        entry_time,
        ingested_at,
        {{ json_array_items('value', '$.errors') }} as error
    from source
),

renamed as (
    select
        -- ids
        md5(file || ':' || cast(line_no as varchar) || ':' || cast(entry_index as varchar) || ':'
            || cast(change_index as varchar) || ':' || cast(error as varchar)) as error_id,
        waba_id,
        phone_number_id,
        display_phone_number,

        -- the error
        cast({{ json_text('error', '$.code') }} as integer) as error_code,
        {{ json_text('error', '$.title') }} as error_title,
        {{ json_text('error', '$.message') }} as error_message,
        {{ json_text('error', '$.error_data.details') }} as error_details,
        {{ json_text('error', '$.href') }} as error_href,

        -- timestamps
        coalesce({{ from_unix_seconds('entry_time') }}, ingested_at) as occurred_at,
        ingested_at,

        -- where it was read
        file,
        line_no
    from errors
),

-- the same error delivered again (Meta retries a body until it gets a 200, and a change
-- without a time cannot tell a retry from a repeat) is one row, with how often it came
deduplicated as (
    select
        min_by(error_id, occurred_at) as error_id,
        waba_id,
        phone_number_id,
        min(display_phone_number) as display_phone_number,
        error_code,
        error_title,
        error_message,
        error_details,
        error_href,
        min(occurred_at) as occurred_at,
        max(occurred_at) as last_occurred_at,
        cast(count(*) as bigint) as deliveries,
        min(ingested_at) as ingested_at,
        min_by(file, occurred_at) as file,
        min_by(line_no, occurred_at) as line_no
    from renamed
    group by waba_id, phone_number_id, error_code, error_title, error_message, error_details, error_href
)

select * from deduplicated
