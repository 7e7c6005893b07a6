-- One row per thing that happened to a contact, from every source: messages in and
-- out, notes, labels, assignments, resolutions and reopenings, orders, abandoned
-- checkouts, CRM contacts created, deal stage changes, consent changes and campaign sends.
with

messages as (select * from {{ ref('int_messages') }}),
cw_messages as (select * from {{ ref('stg_chatwoot__messages') }}),
cw_events as (select * from {{ ref('stg_chatwoot__conversation_events') }}),
orders as (select * from {{ ref('fct_orders') }}),
checkouts as (select * from {{ ref('stg_shopify__checkouts') }}),
deal_versions as (select * from {{ ref('stg_hubspot__deal_versions') }}),
crm_contacts as (select * from {{ ref('stg_hubspot__contacts') }}),
consent_events as (select * from {{ ref('int_consent_events') }}),
sends as (select * from {{ ref('stg_senders__campaign_sends') }}),
appointments as (select * from {{ ref('stg_calendar__appointments') }}),
inbox_keys as (select * from {{ ref('int_inbox_keys') }}),
record_contacts as (select * from {{ ref('int_record_contacts') }}),

message_events as (
    select
        contact_id,
        sent_at as occurred_at,
        case when direction = 'inbound' then 'message_received' else 'message_sent' end as event_type,
        channel,
        source,
        message_id as ref_id,
        case
            when direction = 'inbound' then 'Customer: '
            else upper(substr(sender_type, 1, 1)) || substr(sender_type, 2) || ': '
        end || coalesce(left(body, 120), '[' || message_type || ']') as summary
    from messages
),

-- the shared inbox's conversation events, with the contact they concern
inbox_events as (
    select
        e.*,
        k.channel,
        rc.contact_id,
        cast(json_extract(labels_previous_json, '$[0]') as varchar[]) as labels_before,
        cast(json_extract(labels_current_json, '$[0]') as varchar[]) as labels_after,
        json_extract_string(assignee_current_json, '$[0]') as assignee_after,
        json_extract_string(status_previous_json, '$[0]') as status_before,
        json_extract_string(status_current_json, '$[0]') as status_after
    from cw_events e
    left join inbox_keys k on k.key_kind = 'chatwoot_inbox_id' and k.key_value = e.chatwoot_inbox_id
    left join record_contacts rc
      on rc.record_id = {{ chatwoot_event_record_id('e.chatwoot_account_id', 'e.chatwoot_conversation_id', 'e.occurred_at') }}
),

label_events as (
    select contact_id, occurred_at, 'label_added' as event_type, channel, 'chatwoot' as source,
           chatwoot_conversation_id as ref_id, 'Label added: ' || label as summary
    from (select *, unnest(list_filter(labels_after, lambda x: not list_contains(coalesce(labels_before, []), x))) as label
          from inbox_events where labels_after is not null)
    union all
    select contact_id, occurred_at, 'label_removed', channel, 'chatwoot',
           chatwoot_conversation_id, 'Label removed: ' || label
    from (select *, unnest(list_filter(labels_before, lambda x: not list_contains(coalesce(labels_after, []), x))) as label
          from inbox_events where labels_before is not null)
),

assignment_events as (
    select contact_id, occurred_at, 'assigned' as event_type, channel, 'chatwoot' as source,
           chatwoot_conversation_id as ref_id,
           case when assignee_after is null then 'Unassigned' else 'Assigned to operator ' || assignee_after end as summary
    from inbox_events
    where assignee_current_json <> '[]'
),

status_events as (
    select contact_id, occurred_at,
           case when status_after = 'resolved' then 'resolved'
                when status_before = 'resolved' and status_after = 'open' then 'reopened'
                else 'status_changed' end as event_type,
           channel, 'chatwoot' as source, chatwoot_conversation_id as ref_id,
           'Conversation ' || coalesce(status_before, '?') || ' → ' || status_after as summary
    from inbox_events
    where status_after is not null
),

note_events as (
    select
        rc.contact_id,
        n.created_at as occurred_at, 'note_added' as event_type, k.channel, 'chatwoot' as source,
        'chatwoot:' || n.chatwoot_message_id as ref_id,
        'Note by ' || coalesce(n.operator_name, 'operator') || ': ' || left(n.content, 120) as summary
    from cw_messages n
    left join inbox_keys k on k.key_kind = 'chatwoot_inbox_id' and k.key_value = n.chatwoot_inbox_id
    left join record_contacts rc
      on rc.record_id = {{ chatwoot_message_record_id('n.chatwoot_account_id', 'n.chatwoot_message_id') }}
    where n.is_private
),

order_events as (
    select contact_id, ordered_at as occurred_at, 'order_placed' as event_type, 'shop' as channel,
           'shopify' as source, order_id as ref_id,
           'Order ' || coalesce(order_name, order_id) || ': ' || cast(total_amount as varchar) || ' ' || coalesce(currency, '') as summary
    from orders
    union all
    select contact_id, cancelled_at, 'order_cancelled', 'shop', 'shopify', order_id,
           'Order ' || coalesce(order_name, order_id) || ' cancelled'
    from orders where cancelled_at is not null
),

checkout_events as (
    select
        rc.contact_id,
        c.created_at as occurred_at, 'checkout_abandoned' as event_type, 'shop' as channel,
        'shopify' as source, c.checkout_id as ref_id,
        'Cart left: ' || coalesce(c.first_product_title, '') || ' (' || cast(c.total_amount as varchar) || ')' as summary
    from checkouts c
    left join record_contacts rc on rc.record_id = 'shopify_checkout:' || c.checkout_id
),

deal_events as (
    select
        rc.contact_id,
        updated_at as occurred_at, 'deal_stage_changed' as event_type, 'crm' as channel,
        'hubspot' as source, deal_id as ref_id,
        'Deal ' || coalesce(deal_name, deal_id) || ': ' || deal_stage as summary
    from (
        select *, lag(deal_stage) over (partition by deal_id order by updated_at) as previous_stage
        from deal_versions
    ) d
    left join record_contacts rc on rc.record_id = 'hubspot_contact:' || d.crm_contact_id
    where previous_stage is distinct from deal_stage
),

crm_contact_events as (
    select
        rc.contact_id,
        c.created_at as occurred_at, 'crm_contact_created' as event_type, 'crm' as channel,
        'hubspot' as source, c.crm_contact_id as ref_id,
        'CRM contact: ' || coalesce(nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), ''), c.crm_contact_id)
            || coalesce(' (' || c.lifecycle_stage || ')', '') as summary
    from crm_contacts c
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || c.crm_contact_id
),

consent_changes as (
    select contact_id, occurred_at,
           case when state = 'granted' then 'consent_granted' else 'consent_denied' end as event_type,
           channel, source, evidence_record_id as ref_id,
           {{ dbt.concat(["upper(substr(purpose, 1, 1))", "substr(purpose, 2)", "' consent on '", "channel", "' '", "state",
                          "case when is_explicit then '' else ' (implied)' end", "': '", "left(evidence, 120)"]) }} as summary
    from consent_events
),

campaign_events as (
    select
        rc.contact_id,
        s.sent_at as occurred_at, 'campaign_sent' as event_type, 'whatsapp' as channel,
        'senders' as source, s.message_id as ref_id,
        'Campaign ' || s.campaign_id || ': template ' || s.template_name as summary
    from sends s
    left join record_contacts rc on rc.record_id = {{ send_record_id('s') }}
    where s.message_id is not null
),

-- an appointment concerns the person its attendees' phone or e-mail identify
appointment_events as (
    select
        rc.contact_id,
        a.starts_at as occurred_at,
        case when a.status = 'CANCELLED' then 'appointment_cancelled' else 'appointment_booked' end as event_type,
        'calendar' as channel, coalesce(a.calendar_name, 'calendar') as source, a.appointment_id as ref_id,
        coalesce(a.summary, 'Appointment') || case when a.status = 'CANCELLED' then ' (cancelled)' else '' end as summary
    from appointments a
    join record_contacts rc on rc.record_id = 'appointment:' || a.appointment_id
),

unioned as (
    select * from message_events
    union all select * from appointment_events
    union all select * from label_events
    union all select * from assignment_events
    union all select * from status_events
    union all select * from note_events
    union all select * from order_events
    union all select * from checkout_events
    union all select * from deal_events
    union all select * from crm_contact_events
    union all select * from consent_changes
    union all select * from campaign_events
)

select distinct contact_id, occurred_at, event_type, channel, source, ref_id, summary
from unioned
where contact_id is not null and occurred_at is not null
