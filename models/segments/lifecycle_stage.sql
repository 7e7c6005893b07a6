-- Every contact with their lifecycle stage and the reason for it (rules:
-- intermediate/int_contact_lifecycle.yml). A service segment: analysis and routing, no
-- marketing send.
with

contacts as (
    select * from {{ ref('dim_contacts') }}
),

lifecycle as (
    select * from {{ ref('int_contact_lifecycle') }}
),

final as (
    select
        c.contact_id,
        c.first_name,
        c.display_name,
        c.phone_e164,
        l.lifecycle_stage,
        l.stage_reason,
        l.orders_count,
        l.last_order_at,
        l.last_inbound_at,
        l.last_active_at,
        l.days_since_last_active
    from contacts c
    join lifecycle l using (contact_id)
)

select * from final
