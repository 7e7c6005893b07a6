-- E-mails, one row per Message-ID, threaded by the root of their References chain.
with

source as (
    select * from {{ source('raw', 'email_messages') }}
),

renamed as (
    select
        -- ids
        'email:' || message_id as message_id,
        'email:' || thread_root_id as thread_id,
        in_reply_to,

        -- who
        direction,
        lower(mailbox_address) as mailbox_address,
        case
            when direction = 'inbound' then lower(from_address)
            else lower({{ json_text('to_addresses', '$[0]') }})
        end as customer_email,
        case when direction = 'inbound' then from_name end as customer_name,
        case when direction = 'outbound' then lower(from_address) end as operator_address,

        -- what (new_text leaves out the quoted history)
        subject,
        coalesce(nullif(trim(new_text), ''), body_text) as body,

        -- timestamps
        sent_at
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (partition by message_id order by sent_at, body) = 1
)

select * from deduplicated
