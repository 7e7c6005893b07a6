-- Customers gone quiet (lifecycle stage dormant: no order, message or visit for
-- var('dormant_after_days') days; intermediate/int_contact_lifecycle) who consented to
-- marketing on WhatsApp: the reactivation audience. Rules in dormant_customers.yml.
with

lifecycle as (
    select * from {{ ref('int_contact_lifecycle') }}
    where lifecycle_stage = 'dormant'
),

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

spend as (
    select
        contact_id,
        -- in EUR: orders in another currency are left out, not converted
        coalesce(sum(case when coalesce(currency, 'EUR') = 'EUR' then total_amount end), 0) as total_spent_eur
    from orders
    group by contact_id
),

-- the product the customer ordered most often (the latest ordered, then by title, on a tie)
product_counts as (
    select
        contact_id,
        first_product_title,
        count(*) as times_ordered,
        max(ordered_at) as last_ordered_at
    from orders
    where first_product_title is not null
    group by contact_id, first_product_title
),

favourites as (
    select contact_id, first_product_title as favourite_product
    from (
        select
            *,
            row_number() over (
                partition by contact_id
                order by times_ordered desc, last_ordered_at desc, first_product_title
            ) as product_rank
        from product_counts
    ) ranked
    where product_rank = 1
),

final as (
    select
        l.contact_id,
        c.first_name,
        c.display_name,
        c.phone_e164,
        l.last_order_at,
        cast(floor({{ seconds_between('l.last_order_at', as_of()) }} / 86400) as integer) as days_since_last_order,
        l.last_active_at,
        l.days_since_last_active as days_dormant,
        l.orders_count,
        f.favourite_product,
        cast(coalesce(s.total_spent_eur, 0) as decimal(18, 2)) as total_spent_eur
    from lifecycle l
    join contacts c using (contact_id)
    join consented using (contact_id)
    left join favourites f using (contact_id)
    left join spend s using (contact_id)
)

select * from final
