-- Web chat messages (visitors, operators, bots), one row per event id.
with

source as (
    select * from {{ source('raw', 'webchat_events') }}
    where type = 'message'
),

renamed as (
    select
        -- ids
        'webchat:' || event_id as message_id,
        site_id,
        session_id,
        {{ json_text('payload', '$.visitor.id') }} as visitor_id,

        -- the visitor as they identified themselves
        lower(trim({{ json_text('payload', '$.visitor.email') }})) as visitor_email,
        nullif(trim({{ json_text('payload', '$.visitor.phone') }}), '') as visitor_phone_raw,
        {{ json_text('payload', '$.visitor.name') }} as visitor_name,

        -- the message
        {{ json_text('payload', '$.direction') }} as direction,
        case {{ json_text('payload', '$.sender.type') }}
            when 'operator' then 'operator'
            when 'bot' then 'bot'
            else 'customer'
        end as sender_type,
        case when {{ json_text('payload', '$.sender.type') }} = 'operator'
            then {{ json_text('payload', '$.sender.id') }} end as operator_id,
        {{ json_text('payload', '$.text') }} as body,

        -- timestamps
        {{ from_iso8601(json_text('payload', '$.sent_at')) }} as sent_at,
        cast(payload as varchar) as payload
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (partition by message_id order by payload) = 1
)

select * exclude (payload) from deduplicated
