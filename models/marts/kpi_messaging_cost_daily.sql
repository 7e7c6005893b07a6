-- What WhatsApp messaging cost per day, inbox and pricing category: the charged messages
-- of fct_message_costs (delivered billable messages × the rate card), summed.
with

costs as (select * from {{ ref('fct_message_costs') }}),

charged as (
    select * from costs where is_charged
),

final as (
    select
        delivered_day as day,
        inbox_id,
        pricing_category,
        count(*) as billable_messages,
        cast(sum(coalesce(cost, 0)) as decimal(18, 4)) as cost,
        min(currency) as currency,
        sum(case when is_unpriced then 1 else 0 end) as unpriced_messages
    from charged
    group by delivered_day, inbox_id, pricing_category
)

select
    day,
    inbox_id,
    pricing_category,
    billable_messages,
    -- kept for the readers of the first version (the rate card was EUR only)
    case when currency = 'EUR' then cost end as cost_eur,
    unpriced_messages,
    cost,
    currency
from final
