-- How every source names an inbox, and which inbox that is: one row per (key_kind,
-- key_value). The business's inboxes seed names its WhatsApp numbers, pages, mailboxes,
-- web chat sites and phone lines; a key that sources show but the seed does not know
-- (a number added since) gets an inbox of its own, derived from the source, so its
-- messages still have a channel and conversations (int_inboxes, is_configured = false;
-- listed in marts.data_health).
with

inboxes as (select * from {{ ref('inboxes') }}),
wa_messages as (select * from {{ ref('stg_whatsapp__messages') }}),
wa_statuses as (select * from {{ ref('stg_whatsapp__statuses') }}),
meta_messages as (select * from {{ ref('stg_meta__messages') }}),
email_messages as (select * from {{ ref('stg_email__messages') }}),
webchat_messages as (select * from {{ ref('stg_webchat__messages') }}),
calls as (select * from {{ ref('stg_calls__calls') }}),
phones as (select * from {{ ref('stg_phone_numbers') }}),
canonical_messages as (select * from {{ ref('stg_canonical__messages') }}),
cw_messages as (select * from {{ ref('stg_chatwoot__messages') }}),

configured as (
    select 'whatsapp_phone_number_id' as key_kind, whatsapp_phone_number_id as key_value, inbox_id, channel from inboxes
    union all select 'instagram_account_id', instagram_account_id, inbox_id, channel from inboxes
    union all select 'facebook_page_id', facebook_page_id, inbox_id, channel from inboxes
    union all select 'email_address', lower(trim(email_address)), inbox_id, channel from inboxes
    union all select 'webchat_site_id', webchat_site_id, inbox_id, channel from inboxes
    union all select 'phone_line', phone_line, inbox_id, channel from inboxes
    union all select 'chatwoot_inbox_id', chatwoot_inbox_id, inbox_id, channel from inboxes
    union all select 'inbox_id', inbox_id, inbox_id, channel from inboxes
),

-- every key the sources show, with the channel it implies and what it tells of the inbox
seen as (
    select 'whatsapp_phone_number_id' as key_kind, phone_number_id as key_value, 'whatsapp' as channel,
           max(display_phone_number) as display_phone_number, min(sent_at) as first_seen_at,
           max(sent_at) as last_seen_at, count(*) as records
    from wa_messages group by phone_number_id
    union all
    select 'whatsapp_phone_number_id', phone_number_id, 'whatsapp', null, min(status_at), max(status_at), count(*)
    from wa_statuses group by phone_number_id
    union all
    select case when channel = 'instagram' then 'instagram_account_id' else 'facebook_page_id' end,
           business_account_id, channel, null, min(sent_at), max(sent_at), count(*)
    from meta_messages group by channel, business_account_id
    union all
    select 'email_address', mailbox_address, 'email', null, min(sent_at), max(sent_at), count(*)
    from email_messages group by mailbox_address
    union all
    select 'webchat_site_id', site_id, 'webchat', null, min(sent_at), max(sent_at), count(*)
    from webchat_messages group by site_id
    union all
    select case when c.inbox_id is not null then 'inbox_id' else 'phone_line' end,
           coalesce(c.inbox_id, p.phone_e164), 'phone', null, min(c.started_at), max(c.started_at), count(*)
    from calls c
    left join phones p on p.kind = 'typed' and p.raw_value = c.business_phone_raw
    group by 1, 2
    union all
    select case when inbox_id is not null then 'inbox_id' else 'canonical_channel' end,
           coalesce(inbox_id, channel), channel, null, min(sent_at), max(sent_at), count(*)
    from canonical_messages group by 1, 2, 3
    union all
    select 'chatwoot_inbox_id', chatwoot_inbox_id, null, null, min(created_at), max(created_at), count(*)
    from cw_messages group by chatwoot_inbox_id
),

seen_keys as (
    select
        key_kind,
        key_value,
        max(channel) as channel,
        max(display_phone_number) as display_phone_number,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(records) as records
    from seen
    where key_value is not null
    group by key_kind, key_value
),

derived as (
    select
        s.key_kind,
        s.key_value,
        case
            when s.key_kind in ('inbox_id') then s.key_value
            when s.key_kind = 'canonical_channel' then 'import:' || s.key_value
            when s.key_kind = 'chatwoot_inbox_id' then 'chatwoot:' || s.key_value
            else s.channel || ':' || s.key_value
        end as inbox_id,
        s.channel,
        false as is_configured,
        s.display_phone_number,
        s.first_seen_at,
        s.last_seen_at,
        s.records
    from seen_keys s
    left join configured c on c.key_kind = s.key_kind and c.key_value = s.key_value
    where c.inbox_id is null
),

final as (
    select
        c.key_kind, c.key_value, c.inbox_id, c.channel, true as is_configured,
        cast(null as varchar) as display_phone_number,
        s.first_seen_at, s.last_seen_at, coalesce(s.records, 0) as records
    from configured c
    left join seen_keys s on s.key_kind = c.key_kind and s.key_value = c.key_value
    where c.key_value is not null
    union all
    select * from derived
)

select * from final
