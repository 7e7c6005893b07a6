-- E-mails, one row per Message-ID, threaded by the root of their References chain.
--
-- Which side wrote a message is decided here, from the inboxes seed, so editing the seed
-- reclassifies mail already ingested: a message from a business's address (the seed's
-- `email_address`, or a mailbox the mail server delivered messages to: Delivered-To,
-- X-Original-To) is outbound, any other is a customer's. The mailbox is that address for
-- outbound mail; for inbound mail, the first business address among To, Cc and the
-- delivery headers, else the mailbox it was delivered to, else its first To address (a
-- mailbox the seed does not name yet: int_inboxes keeps it as an inbox of its own).
with

source as (
    select * from {{ source('raw', 'email_messages') }}
),

inboxes as (
    select * from {{ ref('inboxes') }}
),

seeded_addresses as (
    select distinct lower(trim(email_address)) as address
    from inboxes
    where email_address is not null
),

-- (ingest lower-cases every address)
parsed as (
    select
        *,
        from_address as sender,
        cast(to_addresses as varchar[]) as to_list,
        cast(cc_addresses as varchar[]) as cc_list,
        cast(delivered_to as varchar[]) as delivered_list
    from source
),

-- the mailboxes messages were delivered to are the business's, seeded or not
business_addresses as (
    select address from seeded_addresses
    union
    select distinct unnest(delivered_list) as address from parsed
),

-- the first seeded address among each message's recipients and delivery headers
recipients as (
    select message_id, sent_at, unnest(list_concat(to_list, cc_list, delivered_list)) as address,
           generate_subscripts(list_concat(to_list, cc_list, delivered_list), 1) as position
    from parsed
),

first_seeded_recipients as (
    select r.message_id, r.sent_at, min_by(r.address, r.position) as first_seeded_recipient
    from recipients r
    join seeded_addresses s using (address)
    group by r.message_id, r.sent_at
),

classified as (
    select
        p.*,
        b.address is not null as is_outbound,
        f.first_seeded_recipient
    from parsed p
    left join business_addresses b on b.address = p.sender
    left join first_seeded_recipients f using (message_id, sent_at)
),

renamed as (
    select
        -- ids
        'email:' || message_id as message_id,
        'email:' || thread_root_id as thread_id,
        in_reply_to,

        -- who
        case when is_outbound then 'outbound' else 'inbound' end as direction,
        case
            when is_outbound then sender
            else coalesce(first_seeded_recipient, delivered_list[1], to_list[1])
        end as mailbox_address,
        case when is_outbound then to_list[1] else sender end as customer_email,
        case when not is_outbound then from_name end as customer_name,
        case when is_outbound then sender end as operator_address,

        -- what (new_text leaves out the quoted history)
        subject,
        coalesce(nullif(trim(new_text), ''), body_text) as body,

        -- timestamps
        sent_at
    from classified
),

deduplicated as (
    select * from renamed
    qualify row_number() over (partition by message_id order by sent_at, body) = 1
)

select * from deduplicated
