-- Webhook changes that are not messages: template status / quality / category updates,
-- account updates, marketing preferences and any field Meta adds later (kept, typed by
-- its field name).
with

source as (
    select * from {{ source('raw', 'whatsapp_changes') }}
    where field is distinct from 'messages'
),

renamed as (
    select
        -- ids
        waba_id,
        phone_number_id,
        field,

        -- what happened
        coalesce(
            {{ json_text('value', '$.event') }},
            {{ json_text('value', '$.new_category') }},
            {{ json_text('value', '$.new_quality_score') }}
        ) as event,
        {{ json_text('value', '$.message_template_id') }} as template_id,
        {{ json_text('value', '$.message_template_name') }} as template_name,
        {{ json_text('value', '$.message_template_language') }} as template_language,
        {{ json_text('value', '$.reason') }} as reason,

        -- timestamps
        {{ from_unix_seconds('entry_time') }} as occurred_at,

        cast(value as varchar) as payload
    from source
)

select distinct * from renamed
