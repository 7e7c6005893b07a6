-- Template webhooks: status (message_template_status_update), quality
-- (message_template_quality_update) and category (template_category_update) changes,
-- one row per distinct change (a change delivered twice is kept once).
with

source as (
    select * from {{ source('raw', 'whatsapp_changes') }}
    where field in (
        'message_template_status_update',
        'message_template_quality_update',
        'template_category_update'
    )
),

extracted as (
    {{ json_fields('source', 'value', {
        'j_template_id': '$.message_template_id',
        'j_template_name': '$.message_template_name',
        'j_template_language': '$.message_template_language',
        'j_event': '$.event',
        'j_reason': '$.reason',
        'j_status_category': '$.message_template_category',
        'j_new_category': '$.new_category',
        'j_previous_category': '$.previous_category',
        'j_correct_category': '$.correct_category',
        'j_category_update_timestamp': '$.category_update_timestamp',
        'j_new_quality_score': '$.new_quality_score',
        'j_previous_quality_score': '$.previous_quality_score'
    }) }}
),

renamed as (
    select
        -- ids
        waba_id,
        j_template_id as template_id,
        j_template_name as template_name,
        j_template_language as template_language,
        field,
        case field
            when 'message_template_status_update' then 'status'
            when 'message_template_quality_update' then 'quality'
            else 'category'
        end as event_type,

        -- status
        upper(j_event) as status,
        j_reason as reason,

        -- category: what the template is now (an impending-change notice names its
        -- current category in new_category and the coming one in correct_category)
        upper(coalesce(j_new_category, j_status_category)) as category,
        upper(j_previous_category) as previous_category,
        upper(j_correct_category) as upcoming_category,
        j_correct_category is not null as is_upcoming_change_notice,

        -- quality
        upper(j_new_quality_score) as quality_score,
        upper(j_previous_quality_score) as previous_quality_score,

        -- timestamps
        {{ from_unix_seconds('j_category_update_timestamp') }} as upcoming_category_at,
        {{ from_unix_seconds('entry_time') }} as occurred_at,

        cast(value as varchar) as payload
    from extracted
)

select distinct * from renamed
