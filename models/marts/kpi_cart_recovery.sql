-- Cart recovery (DESIGN.md): of the abandoned checkouts at least W (3 days) before the
-- newest event in the data, the share followed by an order of the same contact within
-- W; split by whether a WhatsApp reminder (an outbound template or automated message
-- to that contact) went out in between.
{% set window_days = 3 %}
with

-- Shopify's checkouts endpoint lists abandoned checkouts; one completed later (completed_at
-- set) was recovered, and still counts as abandoned here
checkouts as (select * from {{ ref('stg_shopify__checkouts') }}),
orders as (select * from {{ ref('fct_orders') }} where status <> 'cancelled'),
messages as (select * from {{ ref('fct_messages') }}),
phones as (select * from {{ source('raw', 'phone_numbers') }} where is_valid),

abandoned as (
    select
        c.checkout_id,
        {{ contact_of_phone_or_email('p.phone_e164', 'c.email') }} as contact_id,
        c.created_at
    from checkouts c
    left join phones p on p.kind = 'typed' and p.raw_value = c.phone_raw
),

newest as (
    select max(moment) as newest_at from (
        select max(created_at) as moment from abandoned
        union all select max(ordered_at) from orders
    ) as moments
),

eligible as (
    select a.*
    from abandoned a cross join newest n
    where a.created_at <= n.newest_at - interval {{ window_days }} day
),

measured as (
    select
        e.checkout_id,
        e.contact_id,
        (select min(o.ordered_at) from orders o
          where o.contact_id = e.contact_id and o.ordered_at > e.created_at
            and o.ordered_at <= e.created_at + interval {{ window_days }} day) as recovered_at,
        (select min(m.sent_at) from messages m
          where m.contact_id = e.contact_id and m.direction = 'outbound'
            and m.channel = 'whatsapp' and m.sender_type in ('automation', 'campaign')
            and m.sent_at > e.created_at
            and m.sent_at <= e.created_at + interval {{ window_days }} day) as reminded_at
    from eligible e
)

select
    case when reminded_at is not null and (recovered_at is null or reminded_at < recovered_at)
         then 'with_whatsapp_reminder' else 'without_reminder' end as reminder,
    count(*) as abandoned_checkouts,
    count(recovered_at) as recovered,
    cast(count(recovered_at) as double) / nullif(count(*), 0) as recovery_rate
from measured
group by 1
