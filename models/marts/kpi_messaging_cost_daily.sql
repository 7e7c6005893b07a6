-- What WhatsApp messaging cost per day, inbox and pricing category: delivered billable
-- messages × the rate card (seed rate_card, by the recipient's country, '*' fallback).
with

messages as (select * from {{ ref('fct_messages') }}),
contacts as (select * from {{ ref('dim_contacts') }}),
rates as (select * from {{ ref('rate_card') }}),

billable as (
    select
        cast(m.delivered_at as date) as day,
        m.inbox_id,
        m.pricing_category,
        coalesce(c.country_code, '*') as country_code
    from messages m
    left join contacts c using (contact_id)
    where m.is_billable and m.delivered_at is not null
),

priced as (
    select
        b.*,
        coalesce(own.price_eur, fallback.price_eur, 0) as price_eur,
        own.price_eur is null and fallback.price_eur is null as is_unpriced
    from billable b
    left join rates own on own.country_code = b.country_code and own.pricing_category = b.pricing_category
    left join rates fallback on fallback.country_code = '*' and fallback.pricing_category = b.pricing_category
)

select
    day,
    inbox_id,
    pricing_category,
    count(*) as billable_messages,
    cast(sum(price_eur) as decimal(18, 4)) as cost_eur,
    sum(case when is_unpriced then 1 else 0 end) as unpriced_messages
from priced
group by day, inbox_id, pricing_category
