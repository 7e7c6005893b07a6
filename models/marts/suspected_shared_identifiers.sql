-- Identifiers that identity resolution stopped using to link records, because the
-- records they are on show more people than one person has (int_identity_nodes): a
-- shop's fallback number typed on its customers' orders, a family address, a shared
-- CRM record. Each one stays a contact of its own and links nobody. Confirm a row by
-- adding its `node` to the identity_overrides seed: `shared` (keep it out for good, and
-- out of this list) or `personal` (it is one person's: let it link).
with

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

final as (
    select
        node,
        node_kind as identifier_kind,
        identifier,
        block_reason as reason,
        records,
        people_seen_with,
        phones_seen_with,
        emails_seen_with,
        shop_customers_seen_with,
        crm_contacts_seen_with,
        names_seen_with,
        first_seen_at,
        last_seen_at,
        coalesce(override_decision = 'shared', false) as is_confirmed_shared
    from nodes
    where block_reason is not null
      and not is_generic_mailbox
)

select * from final
