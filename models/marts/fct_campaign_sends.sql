-- One row per audience member of a campaign run: sent or skipped (and why), and what
-- happened next (delivered, read, replied, converted to the campaign's own goal within
-- its window, opted out), what the conversion brought (the order's amount) and what the
-- message cost (fct_message_costs). contact_id is the member's contact now
-- (int_record_contacts, by the send's number; else the contact the ledger's id was
-- merged into), audience_contact_id the id the run sent to. Members still held (quiet
-- hours: the ledger's holds table) have no row until they are released.
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

campaigns as (
    select * from {{ ref('stg_senders__campaigns') }}
),

attached as (
    select
        l.campaign_id,
        l.run_id,
        l.message_id,
        l.phone_raw,
        l.variant,
        l.is_holdout,
        l.template_name,
        l.template_language,
        l.ledger_status,
        l.skip_reason,
        l.error_code,
        l.error_detail,
        l.reserved_at,
        l.sent_at,
        l.contact_id as audience_contact_id,
        coalesce(rc.contact_id, cc.contact_id, l.contact_id) as contact_id
    from ledger l
    left join record_contacts rc on rc.record_id = {{ send_record_id('l') }}
    left join current_contacts cc on cc.former_contact_id = l.contact_id
),

-- the campaign's goal (its YAML; a campaign with no file: an order within the window),
-- and from when a member's goals count: the send, else (holdout, or a request that got
-- no wamid) the moment the ledger decided the member. Other skipped members are not
-- measured.
sends as (
    select
        a.*,
        coalesce(k.goal_type, 'order') as goal_type,
        coalesce(k.goal_within_days, {{ attribution_days }}) as goal_within_days,
        case
            when a.sent_at is not null then a.sent_at
            when coalesce(a.is_holdout, false) then a.reserved_at
            when a.ledger_status in ('failed', 'unknown') then a.reserved_at
        end as measured_from
    from attached a
    left join campaigns k on k.campaign_id = a.campaign_id
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

orders as (
    select * from {{ ref('fct_orders') }}
),

costs as (
    select * from {{ ref('fct_message_costs') }}
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
     and m.sent_at <= {{ dbt.dateadd('day', attribution_days, 's.sent_at') }}
    group by s.campaign_id, s.run_id, s.audience_contact_id
),

-- what a member may convert to: the goals of fct_conversion_goals (order, appointment,
-- won_deal) and, for a `reply` goal, any inbound message of the contact
goal_events as (
    select contact_id, goal as goal_type, goal_at, ref_id from goals
    union all
    select contact_id, 'reply' as goal_type, sent_at as goal_at, message_id as ref_id
    from messages
    where direction = 'inbound' and contact_id is not null and sent_at is not null
),

-- every goal of the campaign's type after the member was measured from and within the
-- campaign's window, the first numbered 1
member_goals as (
    select
        s.campaign_id,
        s.run_id,
        s.audience_contact_id,
        g.goal_at,
        g.ref_id,
        row_number() over (
            partition by s.campaign_id, s.run_id, s.audience_contact_id
            order by g.goal_at, g.ref_id
        ) as goal_number
    from sends s
    join goal_events g
      on g.contact_id = s.contact_id
     and g.goal_type = s.goal_type
     and g.goal_at > s.measured_from
     and g.goal_at <= {{ dbt.dateadd('day', 's.goal_within_days', 's.measured_from') }}
),

conversions as (
    select
        campaign_id,
        run_id,
        audience_contact_id,
        goal_at as converted_at,
        ref_id as converted_ref_id
    from member_goals
    where goal_number = 1
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
     and c.occurred_at <= {{ dbt.dateadd('day', attribution_days, 's.sent_at') }}
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
        o.opted_out_at,

        -- how the member is measured (the campaign's goal)
        s.goal_type,
        s.goal_within_days,
        s.measured_from,

        -- what the conversion brought: the converting order's amount (goal order)
        ord.total_amount as revenue_attributed,
        ord.currency as revenue_currency,

        -- what the message cost (fct_message_costs: charged when billable and delivered)
        mc.pricing_category,
        mc.pricing_type,
        coalesce(mc.is_charged, false) as is_charged,
        case when mc.message_id is null then cast(0 as decimal(18, 6)) else mc.cost end as cost,
        mc.currency as cost_currency
    from sends s
    left join statuses st using (message_id)
    left join costs mc on mc.message_id = s.message_id
    left join replies r using (campaign_id, run_id, audience_contact_id)
    left join conversions c using (campaign_id, run_id, audience_contact_id)
    left join opt_outs o using (campaign_id, run_id, audience_contact_id)
    left join orders ord on s.goal_type = 'order' and ord.order_id = c.converted_ref_id
)

select * from final
