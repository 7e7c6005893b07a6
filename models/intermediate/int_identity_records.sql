-- Every record that shows identifiers of a person, one row per (record, identifier).
-- Two identifiers on the same record are evidence that they belong to one person.
with

phones as (
    select * from {{ source('raw', 'phone_numbers') }} where is_valid
),

inboxes as (
    select * from {{ ref('inboxes') }}
),

wa_messages as (select * from {{ ref('stg_whatsapp__messages') }}),
wa_statuses as (select * from {{ ref('stg_whatsapp__statuses') }}),
wa_preferences as (select * from {{ ref('stg_whatsapp__user_preferences') }}),
cw_messages as (select * from {{ ref('stg_chatwoot__messages') }}),
cw_conversations as (select * from {{ ref('stg_chatwoot__conversation_events') }}),
cw_contacts as (select * from {{ ref('stg_chatwoot__contacts') }}),
orders as (select * from {{ ref('stg_shopify__orders') }}),
checkouts as (select * from {{ ref('stg_shopify__checkouts') }}),
woo_orders as (select * from {{ ref('stg_woocommerce__orders') }}),
crm_contacts as (select * from {{ ref('stg_hubspot__contacts') }}),
ledger as (select * from {{ ref('stg_senders__campaign_sends') }}),
meta_messages as (select * from {{ ref('stg_meta__messages') }}),
email_messages as (select * from {{ ref('stg_email__messages') }}),
webchat_messages as (select * from {{ ref('stg_webchat__messages') }}),
calls as (select * from {{ ref('stg_calls__calls') }}),
canonical_messages as (select * from {{ ref('stg_canonical__messages') }}),
appointments as (select * from {{ ref('stg_calendar__appointments') }}),

whatsapp as (
    select 'wa:' || m.message_id as record_id, {{ phone_node('p.phone_e164') }} as node, m.sent_at as seen_at
    from wa_messages m
    join phones p on p.kind = 'wa_id' and p.raw_value = m.from_wa_id
    union all
    select 'wa_status:' || s.message_id, {{ phone_node('p.phone_e164') }}, s.status_at
    from wa_statuses s
    join phones p on p.kind = 'wa_id' and p.raw_value = s.recipient_wa_id
    union all
    select 'wa_pref:' || w.wa_id || ':' || cast(w.changed_at as varchar), {{ phone_node('p.phone_e164') }}, w.changed_at
    from wa_preferences w
    join phones p on p.kind = 'wa_id' and p.raw_value = w.wa_id
),

-- the shared inbox knows its contact across the channels of its inboxes
chatwoot_rows as (
    select
        'cw_msg:' || i.chatwoot_account_id || ':' || c.chatwoot_message_id as record_id,
        'chatwoot:' || i.chatwoot_account_id || ':' || c.chatwoot_contact_id as contact_node,
        coalesce(pt.phone_e164, pw.phone_e164) as phone_e164,
        c.contact_email as email,
        c.created_at as seen_at
    from cw_messages c
    join inboxes i on i.chatwoot_inbox_id = c.chatwoot_inbox_id
    left join phones pt on pt.kind = 'typed' and pt.raw_value = c.contact_phone_raw
    left join phones pw on pw.kind = 'wa_id' and pw.raw_value = c.contact_wa_id
    where c.sender_type = 'customer' or c.chatwoot_contact_id is not null
    union all
    select
        'cw_conv:' || i.chatwoot_account_id || ':' || e.chatwoot_conversation_id || ':' || cast(e.occurred_at as varchar),
        'chatwoot:' || i.chatwoot_account_id || ':' || e.chatwoot_contact_id,
        coalesce(pt.phone_e164, pw.phone_e164),
        e.contact_email,
        e.occurred_at
    from cw_conversations e
    join inboxes i on i.chatwoot_inbox_id = e.chatwoot_inbox_id
    left join phones pt on pt.kind = 'typed' and pt.raw_value = e.contact_phone_raw
    left join phones pw on pw.kind = 'wa_id' and pw.raw_value = e.contact_wa_id
),

-- an agent linking a person's channels on the inbox contact
chatwoot_contact_links as (
    select
        'cw_contact:' || c.chatwoot_account_id || ':' || c.chatwoot_contact_id || ':' || coalesce(cast(c.updated_at as varchar), '') as record_id,
        c.*,
        p.phone_e164
    from cw_contacts c
    left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
),

chatwoot as (
    select record_id, 'chatwoot:' || chatwoot_account_id || ':' || chatwoot_contact_id as node, updated_at as seen_at from chatwoot_contact_links
    union all select record_id, {{ phone_node('phone_e164') }}, updated_at from chatwoot_contact_links
    union all select record_id, {{ email_node('email') }}, updated_at from chatwoot_contact_links
    union all select record_id, {{ prefixed_node('instagram', 'instagram_id') }}, updated_at from chatwoot_contact_links
    union all select record_id, {{ prefixed_node('messenger', 'messenger_id') }}, updated_at from chatwoot_contact_links
    union all
    select record_id, case when contact_node not like '%:' then contact_node end as node, seen_at from chatwoot_rows
    union all select record_id, {{ phone_node('phone_e164') }}, seen_at from chatwoot_rows
    union all select record_id, {{ email_node('email') }}, seen_at from chatwoot_rows
),

shop_rows as (
    select 'shopify_order:' || o.order_id as record_id, {{ prefixed_node('shopify', 'o.shop_customer_id') }} as customer_node,
           p.phone_e164, o.email, o.ordered_at as seen_at
    from orders o left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where not o.is_test
    union all
    select 'shopify_checkout:' || c.checkout_id, {{ prefixed_node('shopify', 'c.shop_customer_id') }},
           p.phone_e164, c.email, c.created_at
    from checkouts c left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
    union all
    select 'woocommerce_order:' || w.order_id, {{ prefixed_node('woocommerce', 'w.shop_customer_id') }},
           p.phone_e164, w.email, w.ordered_at
    from woo_orders w left join phones p on p.kind = 'typed' and p.raw_value = w.phone_raw
),

shop as (
    select record_id, customer_node as node, seen_at from shop_rows
    union all select record_id, {{ phone_node('phone_e164') }}, seen_at from shop_rows
    union all select record_id, {{ email_node('email') }}, seen_at from shop_rows
),

crm as (
    select 'hubspot_contact:' || c.crm_contact_id as record_id, 'hubspot:' || c.crm_contact_id as node, c.created_at as seen_at
    from crm_contacts c
    union all
    select 'hubspot_contact:' || c.crm_contact_id, {{ email_node('c.email') }}, c.created_at from crm_contacts c
    union all
    select 'hubspot_contact:' || c.crm_contact_id, {{ phone_node('p.phone_e164') }}, c.created_at
    from (
        select crm_contact_id, created_at, unnest([phone_raw, mobile_phone_raw, whatsapp_phone_raw]) as phone_raw
        from crm_contacts
    ) c
    join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
),

campaign as (
    select 'send:' || l.campaign_id || ':' || l.run_id || ':' || l.contact_id as record_id,
           {{ phone_node('p.phone_e164') }} as node, l.reserved_at as seen_at
    from ledger l
    join phones p on p.kind = 'typed' and p.raw_value = l.phone_raw
),

channels as (
    select message_id as record_id, channel || ':' || customer_id as node, sent_at as seen_at
    from meta_messages
    union all
    select message_id, {{ email_node('customer_email') }}, sent_at from email_messages
    union all
    select message_id, 'webchat:' || site_id || ':' || visitor_id, sent_at from webchat_messages
    union all
    select message_id, {{ email_node('visitor_email') }}, sent_at from webchat_messages
    union all
    select w.message_id, {{ phone_node('p.phone_e164') }}, w.sent_at
    from webchat_messages w join phones p on p.kind = 'typed' and p.raw_value = w.visitor_phone_raw
    union all
    select c.call_id, {{ phone_node('p.phone_e164') }}, c.started_at
    from calls c join phones p on p.kind = 'typed' and p.raw_value = c.customer_phone_raw
    union all
    select 'canonical:' || c.message_id, {{ phone_node('p.phone_e164') }}, c.sent_at
    from canonical_messages c join phones p on p.kind = 'typed' and p.raw_value = c.contact_phone_raw
    union all
    select 'canonical:' || message_id, {{ email_node('contact_email') }}, sent_at from canonical_messages
    union all
    select 'canonical:' || message_id, case when contact_handle is not null then channel || ':' || contact_handle end, sent_at
    from canonical_messages
    union all
    select 'appointment:' || a.appointment_id, {{ phone_node('p.phone_e164') }}, a.starts_at
    from (
        select appointment_id, starts_at, unnest(cast(cast(attendee_phones_json as json) as varchar[])) as phone_raw
        from appointments
    ) a
    join phones p on p.kind = 'typed' and p.raw_value = a.phone_raw
    union all
    select 'appointment:' || appointment_id, {{ email_node('e') }}, starts_at
    from (select *, unnest(cast(cast(attendee_emails_json as json) as varchar[])) as e from appointments)
),

unioned as (
    select * from whatsapp
    union all select * from channels
    union all select * from chatwoot
    union all select * from shop
    union all select * from crm
    union all select * from campaign
),

-- the business's own numbers and addresses are never a person's
business_nodes as (
    select 'phone:+' || whatsapp_display_phone_number as node from inboxes where whatsapp_display_phone_number is not null
    union all
    select 'phone:' || phone_line from inboxes where phone_line is not null
    union all
    select 'email:' || lower(trim(email_address)) from inboxes where email_address is not null
)

select distinct record_id, node, seen_at
from unioned
where node is not null
  and node not in (select node from business_nodes)
