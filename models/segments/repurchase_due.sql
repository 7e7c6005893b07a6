-- Customers due to reorder, from each customer's own rhythm: the expected next order is
-- the last one plus the median of their own intervals between orders, else the typical
-- interval of the product of their last order, else the default window. Marketing on
-- WhatsApp: consent granted now. Rules in repurchase_due.yml.
with

orders as (
    {{ segment_orders() }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

-- marketing on WhatsApp needs consent granted now (marts.dim_consent)
consented as (
    {{ consented_contacts('whatsapp') }}
),

sequenced as (
    select
        contact_id,
        order_id,
        ordered_at,
        first_product_title,
        lag(ordered_at) over (partition by contact_id order by ordered_at, order_id) as previous_order_at,
        lag(ordered_at) over (
            partition by contact_id, first_product_title order by ordered_at, order_id
        ) as previous_same_product_at,
        row_number() over (partition by contact_id order by ordered_at desc, order_id desc) as recency_rank,
        count(*) over (partition by contact_id) as orders_count
    from orders
),

-- the customer's own intervals between consecutive orders, in days
own_rhythm as (
    select
        contact_id,
        count(*) as intervals_count,
        {{ percentile(seconds_between('previous_order_at', 'ordered_at') ~ ' / 86400.0', 0.5) }} as median_interval_days
    from sequenced
    where previous_order_at is not null
    group by contact_id
),

-- a product's typical interval: the median gap between two orders of it by the same
-- customer, over every customer who reordered it
product_rhythm as (
    select
        first_product_title,
        count(distinct contact_id) as reordering_customers,
        {{ percentile(seconds_between('previous_same_product_at', 'ordered_at') ~ ' / 86400.0', 0.5) }} as median_interval_days
    from sequenced
    where previous_same_product_at is not null and first_product_title is not null
    group by first_product_title
),

last_orders as (
    select * from sequenced
    where recency_rank = 1
),

measured as (
    select
        l.contact_id,
        l.order_id as last_order_id,
        l.ordered_at as last_order_at,
        l.first_product_title as last_product,
        cast(l.orders_count as bigint) as orders_count,
        case
            when r.intervals_count >= {{ var('repurchase_min_intervals') }} then 'own_rhythm'
            when p.reordering_customers >= {{ var('repurchase_product_min_customers') }} then 'product'
            else 'default'
        end as interval_source,
        case
            when r.intervals_count >= {{ var('repurchase_min_intervals') }} then r.median_interval_days
            when p.reordering_customers >= {{ var('repurchase_product_min_customers') }} then p.median_interval_days
            else {{ var('repurchase_default_interval_days') }}
        end as interval_days,
        {{ seconds_between('l.ordered_at', as_of()) }} / 86400.0 as days_since_exact
    from last_orders l
    left join own_rhythm r using (contact_id)
    left join product_rhythm p on p.first_product_title = l.first_product_title
),

timed as (
    select
        *,
        {{ dbt.dateadd('second', 'cast(round(interval_days * 86400) as bigint)', 'last_order_at') }} as expected_next_order_at,
        cast(floor(days_since_exact) as integer) as days_since_last_order
    from measured
),

-- own rhythm or product: due from repurchase_lead_days before the expected next order to
-- repurchase_grace_days after it; default: last order repurchase_due_min_days to
-- repurchase_due_max_days whole days ago
due as (
    select * from timed
    where case
        when interval_source = 'default' then
            days_since_last_order between {{ var('repurchase_due_min_days') }} and {{ var('repurchase_due_max_days') }}
        else
            days_since_exact >= interval_days - {{ var('repurchase_lead_days') }}
            and days_since_exact <= interval_days + {{ var('repurchase_grace_days') }}
    end
),

final as (
    select
        d.contact_id,
        c.first_name,
        c.display_name,
        c.phone_e164,
        d.last_order_id,
        d.last_order_at,
        d.last_product,
        d.orders_count,
        cast(round(d.interval_days, 1) as decimal(10, 1)) as interval_days,
        d.interval_source,
        d.expected_next_order_at,
        d.days_since_last_order
    from due d
    join contacts c using (contact_id)
    join consented using (contact_id)
)

select * from final
