-- Repurchase rate within 30, 60 and 90 days (DESIGN.md): of the orders placed at least
-- N days before the newest order in the data, the share followed by another order of
-- the same contact, placed later, within N days.
with

orders as (
    select * from {{ ref('fct_orders') }}
    where status <> 'cancelled' and contact_id is not null
),

windows as (
    select 30 as window_days union all select 60 union all select 90
),

newest as (
    select max(ordered_at) as newest_order_at from orders
),

eligible as (
    select o.order_id, o.contact_id, o.ordered_at, w.window_days
    from orders o
    cross join windows w
    cross join newest n
    where o.ordered_at <= n.newest_order_at - to_days(w.window_days)
),

followed as (
    select
        e.window_days,
        e.order_id,
        exists (
            select 1 from orders later
            where later.contact_id = e.contact_id
              and later.ordered_at > e.ordered_at
              and later.ordered_at <= e.ordered_at + to_days(e.window_days)
        ) as repurchased
    from eligible e
)

select
    window_days,
    count(*) as eligible_orders,
    sum(case when repurchased then 1 else 0 end) as repurchased_orders,
    cast(sum(case when repurchased then 1 else 0 end) as double) / nullif(count(*), 0) as repurchase_rate
from followed
group by window_days
