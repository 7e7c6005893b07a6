-- Customers whose last order was 25 to 35 days ago (vars repurchase_due_min_days /
-- _max_days) and who consented to marketing: time to remind them to reorder.
with

orders as (
    select * from {{ ref('fct_orders') }}
    where status <> 'cancelled'
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

-- marketing on WhatsApp needs consent granted now (marts.dim_consent)
consented as (
    select contact_id from {{ ref('dim_consent') }}
    where purpose = 'marketing' and channel = 'whatsapp' and state = 'granted'
),

last_orders as (
    select
        contact_id,
        max(ordered_at) as last_order_at,
        max_by(order_id, ordered_at) as last_order_id,
        max_by(first_product_title, ordered_at) as last_product,
        count(*) as orders_count
    from orders
    where contact_id is not null
    group by contact_id
),

measured as (
    select
        c.contact_id,
        c.display_name,
        c.first_name,
        c.phone_e164,
        l.last_order_id,
        l.last_order_at,
        l.last_product,
        l.orders_count,
        cast(floor({{ seconds_between('l.last_order_at', as_of()) }} / 86400) as integer) as days_since_last_order
    from last_orders l
    join contacts c using (contact_id)
    join consented using (contact_id)
),

final as (
    select * from measured
    where days_since_last_order between {{ var('repurchase_due_min_days') }}
                                    and {{ var('repurchase_due_max_days') }}
)

select * from final
