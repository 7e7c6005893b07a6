-- Every message of every source, in and out, one row per message id, with its inbox,
-- its contact's phone and who sent it. WhatsApp wamids join the Cloud API webhooks,
-- the shared inbox (Chatwoot's source_id) and the campaign send ledger.
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

inboxes as (
    select * from {{ ref('inboxes') }}
),

meta_messages as (select * from {{ ref('stg_meta__messages') }}),
email_messages as (select * from {{ ref('stg_email__messages') }}),
webchat_messages as (select * from {{ ref('stg_webchat__messages') }}),
calls as (select * from {{ ref('stg_calls__calls') }}),
canonical_messages as (select * from {{ ref('stg_canonical__messages') }}),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

-- customers writing on WhatsApp (edits, deletions and system notices are not messages)
whatsapp_inbound as (
    select
        m.message_id,
        'whatsapp' as source,
        i.inbox_id,
        p.phone_e164,
        cast(null as varchar) as email,
        m.profile_name as display_name,
        'inbound' as direction,
        'customer' as sender_type,
        cast(null as varchar) as operator_id,
        m.sent_at,
        m.message_type,
        m.body,
        m.referral_source_id,
        m.ctwa_clid,
        m.error_code as message_error_code,
        1 as source_priority,
        cast(null as varchar) as identity_node
    from wa_messages m
    left join inboxes i on i.whatsapp_phone_number_id = m.phone_number_id
    left join phones p on p.kind = 'wa_id' and p.raw_value = m.from_wa_id
    where m.message_type not in ('system', 'revoke', 'edit')
),

-- the shared inbox: operators', bots' and automations' replies, and customer messages
-- from channels whose provider webhooks we do not receive
chatwoot_messages as (
    select
        coalesce(c.source_id, 'chatwoot:' || c.chatwoot_message_id) as message_id,
        'chatwoot' as source,
        i.inbox_id,
        coalesce(p_typed.phone_e164, p_wa.phone_e164) as phone_e164,
        c.contact_email as email,
        c.contact_name as display_name,
        case when c.message_type = 'incoming' then 'inbound' else 'outbound' end as direction,
        c.sender_type,
        c.operator_id,
        c.created_at as sent_at,
        case when c.message_type = 'template' then 'template' else coalesce(c.content_type, 'text') end as message_type,
        c.content as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        case when c.message_type = 'incoming' then 3 else 2 end as source_priority,
        'chatwoot:' || i.chatwoot_account_id || ':' || c.chatwoot_contact_id as identity_node
    from cw_messages c
    left join inboxes i on i.chatwoot_inbox_id = c.chatwoot_inbox_id
    left join phones p_typed on p_typed.kind = 'typed' and p_typed.raw_value = c.contact_phone_raw
    left join phones p_wa on p_wa.kind = 'wa_id' and p_wa.raw_value = c.contact_wa_id
    where not c.is_private
      and c.message_type in ('incoming', 'outgoing', 'template')
),

first_status as (
    select
        message_id,
        min(status_at) as first_status_at,
        min(phone_number_id) as phone_number_id,
        min(recipient_wa_id) as recipient_wa_id
    from wa_statuses
    group by message_id
),

-- campaign template messages, from the send ledger
campaign_messages as (
    select
        s.message_id,
        'senders' as source,
        i.inbox_id,
        coalesce(p_led.phone_e164, p_wa.phone_e164) as phone_e164,
        cast(null as varchar) as email,
        cast(null as varchar) as display_name,
        'outbound' as direction,
        'campaign' as sender_type,
        cast(null as varchar) as operator_id,
        coalesce(s.sent_at, f.first_status_at) as sent_at,
        'template' as message_type,
        s.template_name as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        0 as source_priority,
        cast(null as varchar) as identity_node
    from campaign_sends s
    left join first_status f on f.message_id = s.message_id
    left join inboxes i on i.whatsapp_phone_number_id = f.phone_number_id
    left join phones p_led on p_led.kind = 'typed' and p_led.raw_value = s.phone_raw
    left join phones p_wa on p_wa.kind = 'wa_id' and p_wa.raw_value = f.recipient_wa_id
    where s.message_id is not null
),

-- outbound messages known only from their statuses (sent by another tool): they are
-- counted, as automation, and never as a human response
status_only_messages as (
    select
        f.message_id,
        'whatsapp' as source,
        i.inbox_id,
        p.phone_e164,
        cast(null as varchar) as email,
        cast(null as varchar) as display_name,
        'outbound' as direction,
        'automation' as sender_type,
        cast(null as varchar) as operator_id,
        f.first_status_at as sent_at,
        'unknown' as message_type,
        cast(null as varchar) as body,
        cast(null as varchar) as referral_source_id,
        cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code,
        9 as source_priority,
        cast(null as varchar) as identity_node
    from first_status f
    left join inboxes i on i.whatsapp_phone_number_id = f.phone_number_id
    left join phones p on p.kind = 'wa_id' and p.raw_value = f.recipient_wa_id
),

-- Instagram and Messenger: customers' messages and the business's replies (echoes,
-- counted as operator replies: the page's inbox is operated by people)
meta as (
    select
        m.message_id, m.channel as source, i.inbox_id,
        cast(null as varchar) as phone_e164, cast(null as varchar) as email, cast(null as varchar) as display_name,
        m.direction,
        case when m.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        cast(null as varchar) as operator_id,
        m.sent_at, m.message_type, m.body,
        cast(null as varchar) as referral_source_id, cast(null as varchar) as ctwa_clid,
        cast(null as integer) as message_error_code, 1 as source_priority,
        m.channel || ':' || m.customer_id as identity_node
    from meta_messages m
    left join inboxes i
      on i.channel = m.channel
     and m.business_account_id = case when m.channel = 'instagram' then i.instagram_account_id else i.facebook_page_id end
),

email as (
    select
        e.message_id, 'email' as source, i.inbox_id,
        cast(null as varchar) as phone_e164, e.customer_email as email, e.customer_name as display_name,
        e.direction,
        case when e.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        e.operator_address as operator_id,
        e.sent_at, 'email' as message_type, coalesce(e.subject || ': ', '') || left(e.body, 500) as body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), 1,
        cast(null as varchar) as identity_node
    from email_messages e
    left join inboxes i on lower(i.email_address) = e.mailbox_address
),

webchat as (
    select
        w.message_id, 'webchat' as source, i.inbox_id,
        p.phone_e164, w.visitor_email as email, w.visitor_name as display_name,
        w.direction, w.sender_type, w.operator_id,
        w.sent_at, 'text' as message_type, w.body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), 1,
        'webchat:' || w.site_id || ':' || w.visitor_id as identity_node
    from webchat_messages w
    left join inboxes i on i.webchat_site_id = w.site_id
    left join phones p on p.kind = 'typed' and p.raw_value = w.visitor_phone_raw
),

phone_calls as (
    select
        c.call_id as message_id, 'calls' as source, coalesce(c.inbox_id, i.inbox_id) as inbox_id,
        p.phone_e164, cast(null as varchar) as email, cast(null as varchar) as display_name,
        c.direction,
        case when c.direction = 'inbound' then 'customer' else 'operator' end as sender_type,
        c.operator_id,
        c.started_at as sent_at,
        case when c.is_answered then 'call' else 'missed_call' end as message_type,
        case when c.is_answered
            then 'Call, ' || cast(c.duration_seconds // 60 as varchar) || 'm' || lpad(cast(c.duration_seconds % 60 as varchar), 2, '0') || 's'
            else 'Missed call' end as body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), 1,
        cast(null as varchar) as identity_node
    from calls c
    left join phones p on p.kind = 'typed' and p.raw_value = c.customer_phone_raw
    left join phones bp on bp.kind = 'typed' and bp.raw_value = c.business_phone_raw
    left join inboxes i on i.phone_line = bp.phone_e164
),

canonical as (
    select
        c.message_id, coalesce(c.origin, 'canonical') as source, c.inbox_id,
        p.phone_e164, c.contact_email as email, c.contact_name as display_name,
        c.direction, c.sender_type, c.operator_id,
        c.sent_at, c.message_type, c.body,
        cast(null as varchar), cast(null as varchar), cast(null as integer), 4,
        case when c.contact_handle is not null then c.channel || ':' || c.contact_handle end as identity_node
    from canonical_messages c
    left join phones p on p.kind = 'typed' and p.raw_value = c.contact_phone_raw
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

-- one row per message id: the most authoritative source describes it, the others only
-- fill what it lacks (an inbox mirror knows the conversation, the webhook the phone)
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
        coalesce(min_by(inbox_id, source_priority), max(inbox_id)) as inbox_id,
        coalesce(min_by(phone_e164, source_priority), max(phone_e164)) as phone_e164,
        max(email) as email,
        max(display_name) as display_name,
        max(referral_source_id) as referral_source_id,
        max(ctwa_clid) as ctwa_clid,
        max(message_error_code) as message_error_code,
        max(identity_node) as identity_node
    from unioned
    where message_id is not null
    group by message_id
),

final as (
    select
        m.*,
        coalesce(
            i.channel,
            case when m.source in ('instagram', 'messenger', 'email', 'webchat') then m.source
                 when m.source = 'calls' then 'phone' end
        ) as channel,
        {{ contact_of("coalesce(" ~ phone_node('m.phone_e164') ~ ", " ~ email_node('m.email') ~ ", m.identity_node)") }} as contact_id
    from merged m
    left join inboxes i using (inbox_id)
)

select * from final
