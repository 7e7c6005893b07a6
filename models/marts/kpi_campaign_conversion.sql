-- Campaign results per campaign (all its runs): audience, holdout, sent, delivered,
-- read, replied, and conversions (DESIGN.md "Conversion"): a contact who was sent the
-- campaign converts to a goal (order, booked appointment, won deal; fct_conversion_goals)
-- when one follows their first send within var('attribution_window_days') (7) days,
-- once per contact and goal. Holdout members (in the audience, deliberately not sent)
-- are measured the same way from the moment they were held out, for the comparison.
{% set window_days = var('attribution_window_days') %}
with

sends as (select * from {{ ref('fct_campaign_sends') }}),
ledger as (select * from {{ ref('stg_senders__campaign_sends') }}),
goals as (select * from {{ ref('fct_conversion_goals') }}),

-- per campaign and contact: sent or held out, and from when conversions count
members as (
    select
        s.campaign_id,
        s.contact_id,
        bool_or(s.message_id is not null and s.final_status not in ('failed', 'skipped', 'unknown', 'reserved')) as is_sent,
        bool_or(coalesce(s.is_holdout, false)) as is_holdout,
        bool_or(s.delivered_at is not null) as is_delivered,
        bool_or(s.read_at is not null) as is_read,
        bool_or(s.replied_at is not null) as has_replied,
        min(case when s.message_id is not null and s.final_status not in ('failed', 'skipped', 'unknown', 'reserved')
            then s.sent_at end) as first_sent_at,
        min(case when coalesce(s.is_holdout, false) then l.reserved_at end) as held_out_at
    from sends s
    left join ledger l
      on l.campaign_id = s.campaign_id and l.run_id = s.run_id and l.contact_id = s.audience_contact_id
    group by s.campaign_id, s.contact_id
),

measured as (
    select
        *,
        case
            when is_sent then 'sent'
            when is_holdout then 'holdout'
        end as arm,
        case when is_sent then first_sent_at when is_holdout then held_out_at end as counted_from
    from members
),

conversions as (
    select
        m.campaign_id,
        m.contact_id,
        g.goal
    from measured m
    join goals g
      on g.contact_id = m.contact_id
     and g.goal_at > m.counted_from
     and g.goal_at <= {{ dbt.dateadd('day', window_days, 'm.counted_from') }}
    group by m.campaign_id, m.contact_id, g.goal
),

per_member as (
    select
        m.*,
        coalesce(bool_or(c.goal = 'order'), false) as converted_order,
        coalesce(bool_or(c.goal = 'appointment'), false) as converted_appointment,
        coalesce(bool_or(c.goal = 'won_deal'), false) as converted_won_deal,
        count(c.goal) > 0 as converted_any
    from measured m
    left join conversions c using (campaign_id, contact_id)
    group by all
),

final as (
    select
        campaign_id,
        count(*) as audience,
        sum(case when arm = 'holdout' then 1 else 0 end) as holdout,
        sum(case when arm = 'sent' then 1 else 0 end) as sent,
        sum(case when arm = 'sent' and is_delivered then 1 else 0 end) as delivered,
        sum(case when arm = 'sent' and is_read then 1 else 0 end) as read,
        sum(case when arm = 'sent' and has_replied then 1 else 0 end) as replied,
        sum(case when arm = 'sent' and converted_order then 1 else 0 end) as converted_order,
        sum(case when arm = 'sent' and converted_appointment then 1 else 0 end) as converted_appointment,
        sum(case when arm = 'sent' and converted_won_deal then 1 else 0 end) as converted_won_deal,
        sum(case when arm = 'sent' and converted_any then 1 else 0 end) as converted,
        cast(sum(case when arm = 'sent' and converted_any then 1 else 0 end) as double)
            / nullif(sum(case when arm = 'sent' then 1 else 0 end), 0) as conversion_rate,
        sum(case when arm = 'holdout' and converted_any then 1 else 0 end) as holdout_converted,
        cast(sum(case when arm = 'holdout' and converted_any then 1 else 0 end) as double)
            / nullif(sum(case when arm = 'holdout' then 1 else 0 end), 0) as holdout_conversion_rate
    from per_member
    group by campaign_id
)

select
    *,
    conversion_rate - holdout_conversion_rate as conversion_uplift
from final
