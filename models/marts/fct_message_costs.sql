-- What each outbound WhatsApp message cost: the one cost rule of the warehouse
-- (kpi_messaging_cost_daily and the campaign marts sum it). Meta charges a message when
-- it is billable (pricing type regular; before per-message pricing, billable true) and
-- delivered; free types (free_customer_service, free_entry_point) cost 0. A charged
-- message is priced at the rate card row of its recipient's country and its pricing
-- category valid on the day it was delivered, else the '*' row of the category.
with

messages as (select * from {{ ref('fct_messages') }}),
statuses as (select * from {{ ref('int_message_statuses') }}),
phone_numbers as (select * from {{ ref('stg_phone_numbers') }}),
contacts as (select * from {{ ref('dim_contacts') }}),
rates as (select * from {{ ref('messaging_rate_card') }}),

-- every message with at least one status webhook (only WhatsApp sends them)
whatsapp_messages as (
    select
        m.message_id,
        m.contact_id,
        m.inbox_id,
        m.sender_type,
        m.delivered_at,
        cast(m.delivered_at as date) as delivered_day,
        m.pricing_category,
        m.pricing_type,
        m.is_billable,
        m.is_billable and m.delivered_at is not null as is_charged,
        -- the recipient's country from the number the message went to, else the contact's
        coalesce(p.region_code, c.country_code) as country_code
    from messages m
    join statuses s using (message_id)
    left join phone_numbers p on p.kind = 'wa_id' and p.raw_value = s.recipient_wa_id
    left join contacts c on c.contact_id = m.contact_id
),

-- the rate card rows that may price a charged message, the best first: its own country
-- before '*', then the latest valid_from on or before the day it was delivered
candidate_rates as (
    select
        w.message_id,
        r.price,
        r.currency,
        row_number() over (
            partition by w.message_id
            order by case when r.country_code = '*' then 1 else 0 end, r.valid_from desc
        ) as preference
    from whatsapp_messages w
    join rates r
      on r.pricing_category = w.pricing_category
     and (r.country_code = w.country_code or r.country_code = '*')
     and r.valid_from <= w.delivered_day
    where w.is_charged
),

chosen_rates as (
    select message_id, price, currency from candidate_rates where preference = 1
),

card_currency as (
    select min(currency) as currency from rates
),

final as (
    select
        -- ids
        w.message_id,
        w.contact_id,
        w.inbox_id,
        w.sender_type,

        -- pricing
        w.country_code,
        w.pricing_category,
        w.pricing_type,
        w.is_billable,
        w.is_charged,
        w.is_charged and r.price is null as is_unpriced,
        cast(case when w.is_charged then r.price else 0 end as decimal(18, 6)) as cost,
        coalesce(r.currency, k.currency) as currency,

        -- timestamps
        w.delivered_at,
        w.delivered_day
    from whatsapp_messages w
    left join chosen_rates r using (message_id)
    cross join card_currency k
)

select * from final
