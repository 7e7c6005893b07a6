-- One row per audience member of a campaign run: sent or skipped (and why), and what
-- happened next (delivered, read, replied, converted within the attribution window to an
-- order, a booked appointment or a won deal, opted out). contact_id is the member's
-- contact now (int_record_contacts, by the send's number; else the contact the ledger's
-- id was merged into), audience_contact_id the id the run sent to.
{% set attribution_days = var('attribution_window_days') %}
with

ledger as (
    select * from {{ ref('stg_senders__campaign_sends') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

registry as (
    select * from {{ ref('int_contact_registry') }}
),

contact_ids as (
    select * from {{ ref('int_contact_ids') }}
),

-- a contact id the registry ever gave, and the contact its identifiers have now
current_contacts as (
    select r.contact_id as former_contact_id, min(c.contact_id) as contact_id
    from registry r
    join contact_ids c using (node)
    group by r.contact_id
),

sends as (
    select
        l.* exclude (contact_id),
        l.contact_id as audience_contact_id,
        coalesce(rc.contact_id, cc.contact_id, l.contact_id) as contact_id
    from ledger l
    left join record_contacts rc on rc.record_id = {{ send_record_id('l') }}
    left join current_contacts cc on cc.former_contact_id = l.contact_id
),

statuses as (
    select * from {{ ref('int_message_statuses') }}
),

messages as (
    select * from {{ ref('int_messages') }}
),

goals as (
    select * from {{ ref('fct_conversion_goals') }}
),

consent_events as (
    select * from {{ ref('int_consent_events') }}
),

replies as (
    select s.campaign_id, s.run_id, s.audience_contact_id, min(m.sent_at) as replied_at
    from sends s
    join messages m
      on m.contact_id = s.contact_id
     and m.direction = 'inbound'
     and m.sent_at > s.sent_at
     and m.sent_at <= s.sent_at + interval {{ attribution_days }} day
    group by s.campaign_id, s.run_id, s.audience_contact_id
),

-- the first goal (order, booked appointment, won deal: fct_conversion_goals) after the send
conversions as (
    select s.campaign_id, s.run_id, s.audience_contact_id, min(g.goal_at) as converted_at
    from sends s
    join goals g
      on g.contact_id = s.contact_id
     and g.goal_at > s.sent_at
     and g.goal_at <= s.sent_at + interval {{ attribution_days }} day
    group by s.campaign_id, s.run_id, s.audience_contact_id
),

opt_outs as (
    select s.campaign_id, s.run_id, s.audience_contact_id, min(c.occurred_at) as opted_out_at
    from sends s
    join consent_events c
      on c.contact_id = s.contact_id
     and c.purpose = 'marketing'
     and c.channel = 'whatsapp'
     and c.state = 'denied'
     and c.occurred_at >= s.sent_at
     and c.occurred_at <= s.sent_at + interval {{ attribution_days }} day
    group by s.campaign_id, s.run_id, s.audience_contact_id
),

final as (
    select
        -- ids
        s.campaign_id,
        s.run_id,
        s.contact_id,
        s.audience_contact_id,
        s.variant,
        s.is_holdout,
        s.template_name,
        s.message_id,

        -- outcome
        case
            when s.ledger_status in ('skipped', 'failed', 'unknown', 'reserved') then s.ledger_status
            else coalesce(st.status, 'accepted')
        end as final_status,
        coalesce(st.error_code, s.error_code) as error_code,
        s.skip_reason,

        -- timestamps
        s.sent_at,
        st.delivered_at,
        st.read_at,
        r.replied_at,
        c.converted_at,
        o.opted_out_at
    from sends s
    left join statuses st using (message_id)
    left join replies r using (campaign_id, run_id, audience_contact_id)
    left join conversions c using (campaign_id, run_id, audience_contact_id)
    left join opt_outs o using (campaign_id, run_id, audience_contact_id)
)

select * from final
