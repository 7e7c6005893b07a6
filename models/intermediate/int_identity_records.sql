-- Every record that shows identifiers of a person, one row per (record, identifier).
-- Two identifiers on the same record are evidence that they belong to one person.
--
-- record_id is the key every other model uses to find a record's contact
-- (int_record_contacts): '<record kind>:<id in its source>'. person_name is the name the
-- record gives its person, where the source has a typed one (orders, the CRM, the
-- shared inbox's contacts): it links nothing, it is only evidence for the guard against
-- shared identifiers (int_identity_nodes).
with

phones as (
    select * from {{ ref('stg_phone_numbers') }} where phone_e164 is not null
),

inboxes as (
    select * from {{ ref('int_inboxes') }}
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
consent_forms as (select * from {{ ref('stg_consent__forms') }}),

-- one shape for every source: the record, when it was seen, the name it gives, and up
-- to three identifiers (a phone, an e-mail, an account in some system)
whatsapp as (
    select 'wa:' || m.message_id as record_id, 'whatsapp' as record_source, m.sent_at as seen_at,
           cast(null as varchar) as person_name,
           p.phone_e164, cast(null as varchar) as email, cast(null as varchar) as account_node
    from wa_messages m
    join phones p on p.kind = 'wa_id' and p.raw_value = m.from_wa_id
    union all
    select 'wa_status:' || s.message_id, 'whatsapp', s.status_at, null, p.phone_e164, null, null
    from wa_statuses s
    join phones p on p.kind = 'wa_id' and p.raw_value = s.recipient_wa_id
    union all
    select 'wa_pref:' || w.wa_id || ':' || cast(w.changed_at as varchar), 'whatsapp', w.changed_at, null,
           p.phone_e164, null, null
    from wa_preferences w
    join phones p on p.kind = 'wa_id' and p.raw_value = w.wa_id
),

-- the shared inbox knows its contact across the channels of its inboxes
chatwoot as (
    select
        {{ chatwoot_message_record_id('c.chatwoot_account_id', 'c.chatwoot_message_id') }} as record_id,
        'chatwoot' as record_source,
        c.created_at as seen_at,
        cast(null as varchar) as person_name,
        coalesce(pt.phone_e164, pw.phone_e164) as phone_e164,
        c.contact_email as email,
        {{ chatwoot_contact_node('c.chatwoot_account_id', 'c.chatwoot_contact_id') }} as account_node
    from cw_messages c
    left join phones pt on pt.kind = 'typed' and pt.raw_value = c.contact_phone_raw
    left join phones pw on pw.kind = 'wa_id' and pw.raw_value = c.contact_wa_id
    where c.sender_type = 'customer' or c.chatwoot_contact_id is not null
    union all
    select
        {{ chatwoot_event_record_id('e.chatwoot_account_id', 'e.chatwoot_conversation_id', 'e.occurred_at') }},
        'chatwoot', e.occurred_at, null,
        coalesce(pt.phone_e164, pw.phone_e164),
        e.contact_email,
        {{ chatwoot_contact_node('e.chatwoot_account_id', 'e.chatwoot_contact_id') }}
    from cw_conversations e
    left join phones pt on pt.kind = 'typed' and pt.raw_value = e.contact_phone_raw
    left join phones pw on pw.kind = 'wa_id' and pw.raw_value = e.contact_wa_id
),

-- an agent linking a person's channels on the inbox contact
chatwoot_contacts as (
    select
        {{ chatwoot_contact_record_id('c.chatwoot_account_id', 'c.chatwoot_contact_id', 'c.updated_at') }} as record_id,
        c.chatwoot_account_id,
        c.chatwoot_contact_id,
        c.updated_at as seen_at,
        c.contact_name as person_name,
        p.phone_e164,
        c.email,
        c.instagram_id,
        c.messenger_id
    from cw_contacts c
    left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
),

chatwoot_links as (
    select record_id, 'chatwoot' as record_source, seen_at, person_name, phone_e164, email,
           {{ chatwoot_contact_node('chatwoot_account_id', 'chatwoot_contact_id') }} as account_node
    from chatwoot_contacts
    union all
    select record_id, 'chatwoot', seen_at, person_name, null, null, {{ prefixed_node('instagram', 'instagram_id') }}
    from chatwoot_contacts
    union all
    select record_id, 'chatwoot', seen_at, person_name, null, null, {{ prefixed_node('messenger', 'messenger_id') }}
    from chatwoot_contacts
),

shop as (
    select 'shopify_order:' || o.order_id as record_id, 'shopify' as record_source, o.ordered_at as seen_at,
           nullif(trim(coalesce(o.first_name, '') || ' ' || coalesce(o.last_name, '')), '') as person_name,
           p.phone_e164, o.email, {{ prefixed_node('shopify', 'o.shop_customer_id') }} as account_node
    from orders o
    left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where not o.is_test
    union all
    select 'shopify_checkout:' || c.checkout_id, 'shopify', c.created_at, null,
           p.phone_e164, c.email, {{ prefixed_node('shopify', 'c.shop_customer_id') }}
    from checkouts c
    left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
    union all
    select 'woocommerce_order:' || w.order_id, 'woocommerce', w.ordered_at,
           nullif(trim(coalesce(w.first_name, '') || ' ' || coalesce(w.last_name, '')), ''),
           p.phone_e164, w.email, {{ prefixed_node('woocommerce', 'w.shop_customer_id') }}
    from woo_orders w
    left join phones p on p.kind = 'typed' and p.raw_value = w.phone_raw
),

crm_phones as (
    select crm_contact_id, unnest([phone_raw, mobile_phone_raw, whatsapp_phone_raw]) as phone_raw
    from crm_contacts
),

crm as (
    select 'hubspot_contact:' || c.crm_contact_id as record_id, 'hubspot' as record_source, c.created_at as seen_at,
           nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), '') as person_name,
           cast(null as varchar) as phone_e164, c.email, 'hubspot:' || c.crm_contact_id as account_node
    from crm_contacts c
    union all
    select 'hubspot_contact:' || c.crm_contact_id, 'hubspot', c.created_at,
           nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), ''),
           p.phone_e164, null, null
    from crm_phones cp
    join crm_contacts c using (crm_contact_id)
    join phones p on p.kind = 'typed' and p.raw_value = cp.phone_raw
),

campaign as (
    select {{ send_record_id('l') }} as record_id, 'senders' as record_source,
           l.reserved_at as seen_at, cast(null as varchar) as person_name,
           p.phone_e164, cast(null as varchar) as email, cast(null as varchar) as account_node
    from ledger l
    join phones p on p.kind = 'typed' and p.raw_value = l.phone_raw
),

channels as (
    select 'meta:' || message_id as record_id, channel as record_source, sent_at as seen_at,
           cast(null as varchar) as person_name,
           cast(null as varchar) as phone_e164, cast(null as varchar) as email, channel || ':' || customer_id as account_node
    from meta_messages
    union all
    select message_id, 'email', sent_at, null, null, customer_email, null from email_messages
    union all
    select w.message_id, 'webchat', w.sent_at, null, p.phone_e164, w.visitor_email, 'webchat:' || w.site_id || ':' || w.visitor_id
    from webchat_messages w
    left join phones p on p.kind = 'typed' and p.raw_value = w.visitor_phone_raw
    union all
    select c.call_id, 'calls', c.started_at, null, p.phone_e164, null, null
    from calls c join phones p on p.kind = 'typed' and p.raw_value = c.customer_phone_raw
    union all
    select 'canonical:' || c.message_id, 'canonical', c.sent_at, null, p.phone_e164, c.contact_email,
           case when c.contact_handle is not null then c.channel || ':' || c.contact_handle end
    from canonical_messages c
    left join phones p on p.kind = 'typed' and p.raw_value = c.contact_phone_raw
),

appointment_attendees as (
    select appointment_id, starts_at, unnest(cast(cast(attendee_phones_json as json) as varchar[])) as phone_raw,
           cast(null as varchar) as email
    from appointments
    union all
    select appointment_id, starts_at, null, unnest(cast(cast(attendee_emails_json as json) as varchar[]))
    from appointments
),

calendar as (
    select 'appointment:' || a.appointment_id as record_id, 'calendar' as record_source, a.starts_at as seen_at,
           cast(null as varchar) as person_name, p.phone_e164, a.email, cast(null as varchar) as account_node
    from appointment_attendees a
    left join phones p on p.kind = 'typed' and p.raw_value = a.phone_raw
),

-- a web-form consent statement concerns the person whose phone or e-mail it carries
consent as (
    select 'consent_form:' || f.submission_id as record_id, 'consent' as record_source, f.occurred_at as seen_at,
           cast(null as varchar) as person_name, p.phone_e164, f.email, cast(null as varchar) as account_node
    from consent_forms f
    left join phones p on p.kind = 'typed' and p.raw_value = f.phone_raw
),

unioned as (
    select * from whatsapp
    union all select * from consent
    union all select * from chatwoot
    union all select * from chatwoot_links
    union all select * from shop
    union all select * from crm
    union all select * from campaign
    union all select * from channels
    union all select * from calendar
),

nodes as (
    select record_id, record_source, seen_at, person_name, {{ phone_node('phone_e164') }} as node from unioned
    union all
    select record_id, record_source, seen_at, person_name, {{ email_node('email') }} from unioned
    union all
    select record_id, record_source, seen_at, person_name, account_node from unioned
),

-- the business's own numbers and addresses are never a person's
business_nodes as (
    select 'phone:+' || regexp_replace(whatsapp_display_phone_number, '[^0-9]', '', 'g') as node
    from inboxes where whatsapp_display_phone_number is not null
    union all
    select 'phone:' || phone_line from inboxes where phone_line is not null
    union all
    select 'email:' || lower(trim(email_address)) from inboxes where email_address is not null
)

select distinct record_id, record_source, node, seen_at, person_name
from nodes
where node is not null
  and node not in (select node from business_nodes)
