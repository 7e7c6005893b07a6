-- The goals a lead or a campaign converts to (DESIGN.md "Conversion"), one row each:
-- a non-cancelled order, a booked appointment, a HubSpot deal moved to closedwon.
with

orders as (select * from {{ ref('fct_orders') }}),
timeline as (select * from {{ ref('fct_timeline') }}),

order_goals as (
    select contact_id, 'order' as goal, ordered_at as goal_at, order_id as ref_id
    from orders
    where status <> 'cancelled'
),

appointment_goals as (
    select contact_id, 'appointment' as goal, occurred_at as goal_at, ref_id
    from timeline
    where event_type = 'appointment_booked'
),

won_deal_goals as (
    select contact_id, 'won_deal' as goal, occurred_at as goal_at, ref_id
    from timeline
    where event_type = 'deal_stage_changed' and lower(summary) like '%: closedwon'
),

final as (
    select * from order_goals
    union all select * from appointment_goals
    union all select * from won_deal_goals
)

select * from final
where contact_id is not null and goal_at is not null
