-- Conversation events of the shared inbox: status changes (resolutions), assignments
-- and labels, one row per distinct event (a webhook delivered twice is one event).
-- Incremental (macros/incremental.sql): new raw batches only.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['event_id'],
    on_schema_change='sync_all_columns',
    pre_hook="{{ drop_rows_without_batches() }}",
) }}

with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event like 'conversation_%'
      and {{ new_batches_only() }}
),

extracted as (
    {{ json_fields('source', 'payload', {
        'j_id': '$.id',
        'j_inbox_id': '$.inbox_id',
        'j_account_id': '$.account.id',
        'j_assignee_id': '$.meta.assignee.id',
        'j_status': '$.status',
        'j_labels': '$.labels',
        'j_changed_attributes': '$.changed_attributes',
        'j_contact_id': '$.meta.sender.id',
        'j_contact_phone': '$.meta.sender.phone_number',
        'j_contact_email': '$.meta.sender.email',
        'j_contact_source_id': '$.contact_inbox.source_id',
        'j_updated_at': '$.updated_at',
        'j_timestamp': '$.timestamp',
    }) }}
),

renamed as (
    select
        -- ids
        md5(cast(payload as varchar)) as event_id,
        j_id as chatwoot_conversation_id,
        j_inbox_id as chatwoot_inbox_id,
        j_account_id as chatwoot_account_id,
        j_assignee_id as assignee_id,

        -- what happened
        event,
        event = 'conversation_status_changed' as is_status_change,
        j_status as status,
        j_labels as labels_json,
        j_changed_attributes as changed_attributes_json,
        -- changed_attributes is a list of one-key objects: pick each attribute's change
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].label_list.previous_value') }} as varchar) as labels_previous_json,
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].label_list.current_value') }} as varchar) as labels_current_json,
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].assignee_id.previous_value') }} as varchar) as assignee_previous_json,
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].assignee_id.current_value') }} as varchar) as assignee_current_json,
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].status.previous_value') }} as varchar) as status_previous_json,
        cast({{ json_part("coalesce(j_changed_attributes, '[]')", '$[*].status.current_value') }} as varchar) as status_current_json,

        -- the contact
        j_contact_id as chatwoot_contact_id,
        j_contact_phone as contact_phone_raw,
        j_contact_source_id as contact_wa_id,
        lower(trim(j_contact_email)) as contact_email,

        -- timestamps: when the change happened (updated_at), else the last activity
        coalesce(
            case
                when try_cast(j_updated_at as double) is not null
                    then {{ from_unix_seconds('j_updated_at') }}
                else {{ from_iso8601('j_updated_at') }}
            end,
            {{ from_unix_seconds('j_timestamp') }}
        ) as occurred_at,
        ingested_at
    from extracted
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by event_id order by ingested_at) = 1
)

select * from deduplicated
