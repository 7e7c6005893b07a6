-- One row per (outbound message, status): sent, delivered, read, played or failed.
-- Incremental (macros/incremental.sql): new raw batches only.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['message_id', 'status'],
    on_schema_change='sync_all_columns',
    pre_hook="{{ drop_rows_without_batches() }}",
) }}

with

source as (
    select * from {{ source('raw', 'whatsapp_statuses') }}
    where {{ new_batches_only() }}
),

extracted as (
    {{ json_fields('source', 'status', {
        'j_timestamp': '$.timestamp',
        'j_id': '$.id',
        'j_recipient_id': '$.recipient_id',
        'j_conversation_id': '$.conversation.id',
        'j_status': '$.status',
        'j_pricing_pricing_model': '$.pricing.pricing_model',
        'j_pricing_type': '$.pricing.type',
        'j_pricing_category': '$.pricing.category',
        'j_pricing_billable': '$.pricing.billable',
        'j_conversation_origin_type': '$.conversation.origin.type',
        'j_errors_0_code': '$.errors[0].code',
        'j_errors_0_title': '$.errors[0].title',
        'j_errors_0_error_data_details': '$.errors[0].error_data.details',
    }) }}
),

renamed as (
    select
        -- ids
        j_id as message_id,
        phone_number_id,
        j_recipient_id as recipient_wa_id,
        j_conversation_id as pricing_conversation_id,

        -- status
        j_status as status,
        case j_status
            when 'sent' then 1
            when 'delivered' then 2
            when 'read' then 3
            when 'played' then 4
            when 'failed' then 9
            else 0
        end as status_rank,

        -- pricing (CBP era: billable + category; PMP era: pricing_model, type, category)
        j_pricing_pricing_model as pricing_model,
        j_pricing_type as pricing_type,
        j_pricing_category as pricing_category,
        cast(j_pricing_billable as boolean) as pricing_billable,
        j_conversation_origin_type as conversation_origin,

        -- errors
        cast(j_errors_0_code as integer) as error_code,
        j_errors_0_title as error_title,
        j_errors_0_error_data_details as error_detail,

        -- timestamps
        {{ from_unix_seconds('j_timestamp') }} as status_at,

        md5(cast(status as varchar)) as payload_hash,
        ingested_at
    from extracted
),

candidates as (
    select * from renamed
    union all
    {{ rows_held_for_keys('renamed', ['message_id', 'status']) }}
),

deduplicated as (
    select *
    from candidates
    qualify row_number() over (
        partition by message_id, status order by status_at, payload_hash
    ) = 1
)

select * from deduplicated
