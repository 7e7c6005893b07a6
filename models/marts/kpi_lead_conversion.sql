-- Lead conversion (DESIGN.md): a lead is a contact's first inbound message (with the
-- ad id when a message of theirs came from a click-to-WhatsApp ad); it converts when
-- an order, a booked appointment or a won deal of the same contact follows within
-- var('attribution_window_days') (7) days — once per contact and goal.
{% set window_days = var('attribution_window_days') %}
with

messages as (select * from {{ ref('fct_messages') }} where direction = 'inbound' and contact_id is not null),
goals as (select * from {{ ref('fct_conversion_goals') }}),

leads as (
    select
        contact_id,
        min(sent_at) as lead_at,
        min_by(channel, sent_at) as channel,
        min_by(inbox_id, sent_at) as inbox_id,
        min_by(referral_source_id, sent_at) as ad_id,
        bool_or(ctwa_clid is not null or referral_source_id is not null) as from_ad
    from messages
    group by contact_id
),

conversions as (
    select
        l.contact_id,
        g.goal,
        min(g.goal_at) as converted_at
    from leads l
    join goals g
      on g.contact_id = l.contact_id
     and g.goal_at >= l.lead_at
     and g.goal_at <= {{ dbt.dateadd('day', window_days, 'l.lead_at') }}
    group by l.contact_id, g.goal
),

final as (
    select
        l.contact_id,
        l.lead_at,
        l.channel,
        l.inbox_id,
        coalesce(l.ad_id, case when l.from_ad then 'ad (no id)' end) as ad_id,
        c_order.converted_at as converted_order_at,
        c_appt.converted_at as converted_appointment_at,
        c_deal.converted_at as converted_deal_at,
        coalesce(c_order.converted_at, c_appt.converted_at, c_deal.converted_at) is not null as is_converted
    from leads l
    left join conversions c_order on c_order.contact_id = l.contact_id and c_order.goal = 'order'
    left join conversions c_appt on c_appt.contact_id = l.contact_id and c_appt.goal = 'appointment'
    left join conversions c_deal on c_deal.contact_id = l.contact_id and c_deal.goal = 'won_deal'
)

select * from final
