-- Every message of every source, in and out, one row per message id, with its inbox,
-- its contact and who sent it. WhatsApp wamids join the Cloud API webhooks, the shared
-- inbox (Chatwoot's source_id) and the campaign send ledger.
--
-- Each source row names its inbox by a key (a WhatsApp phone_number_id, a page, a
-- mailbox, ...) that int_inbox_keys turns into an inbox, configured or derived; and its
-- identity record (record_id), whose contact int_record_contacts knows. A message seen
-- by several sources takes the contact of its most authoritative source that has one.
with

wa_messages as (
    select * from {{ ref('stg_whatsapp__messages') }}
),

wa_statuses as (
    select * from {{ ref('stg_whatsapp__statuses') }}
),

cw_messages as (
    select * from {{ ref('stg_chatwoot__messages') }}
),

campaign_sends as (
    select * from {{ ref('stg_senders__campaign_sends') }}
),

inbox_keys as (
    select * from {{ ref('int_inbox_keys') }}
),

inboxes as (
    select * from {{ ref('int_inboxes') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

meta_messages as (select * from {{ ref('stg_meta__messages') }}),
email_messages as (select * from {{ ref('stg_email__messages') }}),
webchat_messages as (select * from {{ ref('stg_webchat__messages') }}),
calls as (select * from {{ ref('stg_calls__calls') }}),
canonical_messages as (select * from {{ ref('stg_canonical__messages') }}),

phones as (
    select * from {{ ref('stg_phone_numbers') }}
),

-- customers writing on WhatsApp (edits, deletions and system notices are not messages)
whatsapp_inbound as (
    select
        m.message_id,
        'whatsapp' as source,
        k.inbox_id,
        'whatsapp' as channel_hint,
        'inbound' as direction,
        'customer' as sender_type,
        cast(null as varchar) as operator_id,
        m.sent_at,
        m.message_type,
        m.body,
        m.referral_source_id,
        m.ctwa_clid,
        m.error_code as message_error_code,
        cast(null as varchar) as conversation_ref,
        m.profile_name as display_name,
        1 as source_priority,
        'wa:' || m.message_id as record_id
    from wa_messages m
    left join inbox_keys k on k.key_kind = 'whatsapp_phone_number_id' and k.key_value = m.phone_number_id
    where m.message_type not in ('system', 'revoke', 'edit')
),

-- the shared inbox: operators', bots' and automations' replies, and customer messages
-- from channels whose provider webhooks we do not receive
chatwoot_messages as (
    select
        coalesce(c.source_id, 'chatwoot:' || c.chatwoot_message_id) as message_id,
        'chatwoot' as source,
        k.inbox_id,
        cast(null as varchar) as channel_hint,
        case when c.message_type = 'incoming' then 'inbound' else 'outbound' end as direction,
        c.sender_type,
        c.operator_id,
        c.created_at as sent_at,
        case when c.message_type = 'template' then 'template' else coalesce(c.content_type, 'text') end as message_type,
        c.content as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        cast(null as varchar) as conversation_ref,
        c.contact_name as display_name,
        case when c.message_type = 'incoming' then 3 else 2 end as source_priority,
        {{ chatwoot_message_record_id('c.chatwoot_account_id', 'c.chatwoot_message_id') }} as record_id
    from cw_messages c
    left join inbox_keys k on k.key_kind = 'chatwoot_inbox_id' and k.key_value = c.chatwoot_inbox_id
    where not c.is_private
      and c.message_type in ('incoming', 'outgoing', 'template')
),

first_status as (
    select
        message_id,
        min(status_at) as first_status_at,
        min(phone_number_id) as phone_number_id
    from wa_statuses
    group by message_id
),

-- campaign template messages, from the send ledger
campaign_messages as (
    select
        s.message_id,
        'senders' as source,
        k.inbox_id,
        'whatsapp' as channel_hint,
        'outbound' as direction,
        'campaign' as sender_type,
        cast(null as varchar) as operator_id,
        coalesce(s.sent_at, f.first_status_at) as sent_at,
        'template' as message_type,
        s.template_name as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        cast(null as varchar) as conversation_ref,
        cast(null as varchar) as display_name,
        0 as source_priority,
        {{ send_record_id('s') }} as record_id
    from campaign_sends s
    left join first_status f on f.message_id = s.message_id
    left join inbox_keys k on k.key_kind = 'whatsapp_phone_number_id' and k.key_value = f.phone_number_id
    where s.message_id is not null
),

-- outbound messages known only from their statuses (sent by another tool): they are
-- counted, as automation, and never as a human response
status_only_messages as (
    select
        f.message_id,
        'whatsapp' as source,
        k.inbox_id,
        'whatsapp' as channel_hint,
        'outbound' as direction,
        'automation' as sender_type,
        cast(null as varchar) as operator_id,
        f.first_status_at as sent_at,
        'unknown' as message_type,
        cast(null as varchar) as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        cast(null as varchar) as conversation_ref,
        cast(null as varchar) as display_name,
        9 as source_priority,
        'wa_status:' || f.message_id as record_id
    from first_status f
    left join inbox_keys k on k.key_kind = 'whatsapp_phone_number_id' and k.key_value = f.phone_number_id
),

-- Instagram and Messenger: customers' messages and the business's replies (echoes,
-- counted as operator replies: the page's inbox is operated by people)
meta as (
    select
        m.message_id, m.channel as source, k.inbox_id, m.channel as channel_hint,
        m.direction,
        case when m.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        cast(null as varchar) as operator_id,
        m.sent_at, m.message_type, m.body,
        cast(null as varchar) as referral_source_id, cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code, cast(null as varchar) as conversation_ref,
        cast(null as varchar) as display_name, 1 as source_priority,
        'meta:' || m.message_id as record_id
    from meta_messages m
    left join inbox_keys k
      on k.key_kind = case when m.channel = 'instagram' then 'instagram_account_id' else 'facebook_page_id' end
     and k.key_value = m.business_account_id
),

email as (
    select
        e.message_id, 'email' as source, k.inbox_id, 'email' as channel_hint,
        e.direction,
        case when e.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        e.operator_address as operator_id,
        e.sent_at, 'email' as message_type, coalesce(e.subject || ': ', '') || left(e.body, 500) as body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), cast(null as varchar),
        e.customer_name as display_name, 1,
        e.message_id as record_id
    from email_messages e
    left join inbox_keys k on k.key_kind = 'email_address' and k.key_value = e.mailbox_address
),

webchat as (
    select
        w.message_id, 'webchat' as source, k.inbox_id, 'webchat' as channel_hint,
        w.direction, w.sender_type, w.operator_id,
        w.sent_at, 'text' as message_type, w.body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), cast(null as varchar),
        w.visitor_name as display_name, 1,
        w.message_id as record_id
    from webchat_messages w
    left join inbox_keys k on k.key_kind = 'webchat_site_id' and k.key_value = w.site_id
),

phone_calls as (
    select
        c.call_id as message_id, 'calls' as source, k.inbox_id, 'phone' as channel_hint,
        c.direction,
        case when c.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        c.operator_id,
        c.started_at as sent_at,
        case when c.is_answered then 'call' else 'missed_call' end as message_type,
        case when c.is_answered
            then 'Call, ' || cast(c.duration_seconds // 60 as varchar) || 'm' || lpad(cast(c.duration_seconds % 60 as varchar), 2, '0') || 's'
            else 'Missed call' end as body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), cast(null as varchar),
        cast(null as varchar) as display_name, 1,
        c.call_id as record_id
    from calls c
    left join phones bp on bp.kind = 'typed' and bp.raw_value = c.business_phone_raw
    left join inbox_keys k
      on k.key_kind = case when c.inbox_id is not null then 'inbox_id' else 'phone_line' end
     and k.key_value = coalesce(c.inbox_id, bp.phone_e164)
),

-- the canonical import: its channel is honoured, and its conversation_ref bounds
-- conversations (a ticket exported from another tool is a conversation of its own)
canonical as (
    select
        c.message_id, coalesce(c.origin, 'canonical') as source, k.inbox_id, c.channel as channel_hint,
        c.direction, c.sender_type, c.operator_id,
        c.sent_at, c.message_type, c.body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), c.conversation_ref,
        c.contact_name as display_name, 4,
        'canonical:' || c.message_id as record_id
    from canonical_messages c
    left join inbox_keys k
      on k.key_kind = case when c.inbox_id is not null then 'inbox_id' else 'canonical_channel' end
     and k.key_value = coalesce(c.inbox_id, c.channel)
),

unioned as (
    select * from whatsapp_inbound
    union all select * from meta
    union all select * from email
    union all select * from webchat
    union all select * from phone_calls
    union all select * from canonical
    union all select * from chatwoot_messages
    union all select * from campaign_messages
    union all select * from status_only_messages
),

with_contacts as (
    select u.*, rc.contact_id, i.is_configured as inbox_is_configured
    from unioned u
    left join record_contacts rc using (record_id)
    left join inboxes i using (inbox_id)
),

-- one row per message id: the most authoritative source describes it, the others only
-- fill what it lacks (an inbox mirror knows the conversation, the webhook the phone);
-- a configured inbox wins over one derived from a source the seed does not know
merged as (
    select
        message_id,
        min_by(source, source_priority) as source,
        min_by(direction, source_priority) as direction,
        min_by(sender_type, source_priority) as sender_type,
        min_by(operator_id, source_priority) as operator_id,
        min_by(message_type, source_priority) as message_type,
        min_by(body, source_priority) as body,
        min_by(sent_at, source_priority) as sent_at,
        coalesce(
            min_by(inbox_id, source_priority) filter (where inbox_is_configured),
            min_by(inbox_id, source_priority) filter (where inbox_id is not null)
        ) as inbox_id,
        min_by(channel_hint, source_priority) filter (where channel_hint is not null) as channel_hint,
        min_by(contact_id, source_priority) filter (where contact_id is not null) as contact_id,
        min_by(conversation_ref, source_priority) filter (where conversation_ref is not null) as conversation_ref,
        max(display_name) as display_name,
        max(referral_source_id) as referral_source_id,
        max(ctwa_clid) as ctwa_clid,
        max(message_error_code) as message_error_code
    from with_contacts
    where message_id is not null
    group by message_id
),

final as (
    select
        m.* exclude (channel_hint),
        coalesce(i.channel, m.channel_hint) as channel
    from merged m
    left join inboxes i using (inbox_id)
)

select * from final
