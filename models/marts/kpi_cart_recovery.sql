-- Cart recovery (DESIGN.md): of the abandoned checkouts created at least W
-- (var cart_recovery_window_days, 3) before the newest checkout or order, the share
-- recovered by a non-cancelled order (macro order_checkout_recoveries: the checkout's own
-- token, or an order of the same contact within W, the rule behind
-- fct_orders.is_recovered_cart); split by whether a WhatsApp reminder (an automation or
-- campaign message to that contact) went out after the checkout and before the
-- recovering order (or within W when none came).
{% set window_days = var('cart_recovery_window_days') %}
with

-- Shopify's checkouts endpoint lists abandoned checkouts; one completed later (completed_at
-- set) was recovered, and still counts as abandoned here
checkouts as (select * from {{ ref('stg_shopify__checkouts') }}),
orders as (select * from {{ ref('fct_orders') }} where status <> 'cancelled'),
messages as (select * from {{ ref('fct_messages') }}),
record_contacts as (select * from {{ ref('int_record_contacts') }}),

abandoned as (
    select
        c.checkout_id,
        c.checkout_token,
        rc.contact_id,
        c.created_at
    from checkouts c
    left join record_contacts rc on rc.record_id = 'shopify_checkout:' || c.checkout_id
),

newest as (
    select max(moment) as newest_at from (
        select max(created_at) as moment from abandoned
        union all select max(ordered_at) from orders
    ) as moments
),

eligible as (
    select a.*
    from abandoned a
    cross join newest n
    where a.created_at <= {{ dbt.dateadd('day', -window_days, 'n.newest_at') }}
),

recoveries as (
    select checkout_id, min(ordered_at) as recovered_at
    from ({{ order_checkout_recoveries('orders', 'eligible') }}) as recoveries
    group by checkout_id
),

reminders as (
    select e.checkout_id, min(m.sent_at) as reminded_at
    from eligible e
    join messages m
      on m.contact_id = e.contact_id
     and m.direction = 'outbound'
     and m.channel = 'whatsapp'
     and m.sender_type in ('automation', 'campaign')
     and m.sent_at > e.created_at
     and m.sent_at <= {{ dbt.dateadd('day', window_days, 'e.created_at') }}
    group by e.checkout_id
),

measured as (
    select e.checkout_id, r.recovered_at, m.reminded_at
    from eligible e
    left join recoveries r using (checkout_id)
    left join reminders m using (checkout_id)
),

final as (
    select
        case when reminded_at is not null and (recovered_at is null or reminded_at < recovered_at)
             then 'with_whatsapp_reminder' else 'without_reminder' end as reminder,
        count(*) as abandoned_checkouts,
        count(recovered_at) as recovered,
        cast(count(recovered_at) as double) / nullif(count(*), 0) as recovery_rate
    from measured
    group by 1
)

select * from final
