-- Messages loaded through the canonical import format, one row per message id.
with

source as (
    select * from {{ source('raw', 'canonical_messages') }}
),

deduplicated as (
    select
        message_id,
        channel,
        inbox_id,
        direction,
        sender_type,
        operator_id,
        nullif(trim(contact_phone), '') as contact_phone_raw,
        lower(trim(contact_email)) as contact_email,
        nullif(trim(contact_handle), '') as contact_handle,
        contact_name,
        conversation_ref,
        message_type,
        body,
        source as origin,
        sent_at
    from source
    qualify row_number() over (partition by message_id order by sent_at, cast(payload as varchar)) = 1
)

select * from deduplicated
