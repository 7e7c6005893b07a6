-- Conversation events of the shared inbox: status changes (resolutions), assignments
-- and labels, one row per distinct event.
with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event like 'conversation_%'
),

renamed as (
    select
        -- ids
        {{ json_text('payload', '$.id') }} as chatwoot_conversation_id,
        {{ json_text('payload', '$.inbox_id') }} as chatwoot_inbox_id,
        {{ json_text('payload', '$.account.id') }} as chatwoot_account_id,
        {{ json_text('payload', '$.meta.assignee.id') }} as assignee_id,

        -- what happened
        event,
        event = 'conversation_status_changed' as is_status_change,
        {{ json_text('payload', '$.status') }} as status,
        cast({{ json_part('payload', '$.labels') }} as varchar) as labels_json,
        cast({{ json_part('payload', '$.changed_attributes') }} as varchar) as changed_attributes_json,
        -- changed_attributes is a list of one-key objects: pick each attribute's change
        cast({{ json_part('payload', '$.changed_attributes[*].label_list.previous_value') }} as varchar) as labels_previous_json,
        cast({{ json_part('payload', '$.changed_attributes[*].label_list.current_value') }} as varchar) as labels_current_json,
        cast({{ json_part('payload', '$.changed_attributes[*].assignee_id.previous_value') }} as varchar) as assignee_previous_json,
        cast({{ json_part('payload', '$.changed_attributes[*].assignee_id.current_value') }} as varchar) as assignee_current_json,
        cast({{ json_part('payload', '$.changed_attributes[*].status.previous_value') }} as varchar) as status_previous_json,
        cast({{ json_part('payload', '$.changed_attributes[*].status.current_value') }} as varchar) as status_current_json,

        -- the contact
        {{ json_text('payload', '$.meta.sender.id') }} as chatwoot_contact_id,
        {{ json_text('payload', '$.meta.sender.phone_number') }} as contact_phone_raw,
        {{ json_text('payload', '$.contact_inbox.source_id') }} as contact_wa_id,
        lower(trim({{ json_text('payload', '$.meta.sender.email') }})) as contact_email,

        -- timestamps: when the change happened (updated_at), else the last activity
        coalesce(
            case
                when json_type({{ json_part('payload', '$.updated_at') }}) in ('UBIGINT', 'BIGINT', 'DOUBLE')
                    then {{ from_unix_seconds(json_text('payload', '$.updated_at')) }}
                else {{ from_iso8601(json_text('payload', '$.updated_at')) }}
            end,
            {{ from_unix_seconds(json_text('payload', '$.timestamp')) }}
        ) as occurred_at,

        cast(payload as varchar) as payload
    from source
)

select distinct * from renamed
