-- Every identifier identity resolution has seen, with the evidence of how many people
-- share it, and whether it may link records (is_linkable) or not (block_reason).
--
-- An identifier links nobody when it is a generic mailbox (info@, noreply@, ... var
-- identity_generic_email_locals), or when the records it is on show more distinct
-- people than one person has: a phone or an e-mail on the records of more than
-- var identity_max_people_per_identifier distinct e-mails (generic ones included), shop
-- customer ids, CRM contacts or names (the shop's own number typed as a fallback on
-- its customers' orders, a family address); any other identifier seen with more than
-- var identity_max_phones_per_identifier phone numbers. A blocked identifier stays a
-- node of its own, and is listed in marts.suspected_shared_identifiers. The seed
-- identity_overrides settles a case for good: `shared` blocks a node, `personal` lets it
-- link whatever the evidence. (The business's own numbers and addresses never reach
-- the records at all: int_identity_records.)
{% set max_people = var('identity_max_people_per_identifier') %}
{% set max_phones = var('identity_max_phones_per_identifier') %}
with

records as (
    select * from {{ ref('int_identity_records') }}
),

overrides as (
    -- (cast: an empty seed file gives dbt no column types)
    select cast(node as varchar) as node, lower(trim(cast(decision as varchar))) as decision
    from {{ ref('identity_overrides') }}
),

nodes as (
    select
        node,
        split_part(node, ':', 1) as node_kind,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        count(distinct record_id) as records,
        count(distinct lower(trim(person_name))) as names_seen_with
    from records
    group by node
),

-- the other identifiers each identifier is seen with, by kind
record_nodes as (
    select distinct record_id, node from records
),

cooccurrence as (
    select
        a.node,
        count(distinct case when b.node like 'phone:%' then b.node end) as phones_seen_with,
        count(distinct case when b.node like 'email:%' then b.node end) as emails_seen_with,
        count(distinct case when b.node like 'shopify:%' or b.node like 'woocommerce:%' then b.node end)
            as shop_customers_seen_with,
        count(distinct case when b.node like 'hubspot:%' then b.node end) as crm_contacts_seen_with
    from record_nodes a
    join record_nodes b on b.record_id = a.record_id and b.node <> a.node
    group by a.node
),

measured as (
    select
        n.*,
        coalesce(c.phones_seen_with, 0) as phones_seen_with,
        coalesce(c.emails_seen_with, 0) as emails_seen_with,
        coalesce(c.shop_customers_seen_with, 0) as shop_customers_seen_with,
        coalesce(c.crm_contacts_seen_with, 0) as crm_contacts_seen_with,
        n.node_kind = 'email'
            and split_part(substr(n.node, 7), '@', 1) in (
                {%- for local in var('identity_generic_email_locals') %}'{{ local }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            ) as is_generic_mailbox,
        o.decision as override_decision
    from nodes n
    left join cooccurrence c using (node)
    left join overrides o using (node)
),

judged as (
    select
        *,
        greatest(emails_seen_with, shop_customers_seen_with, crm_contacts_seen_with, names_seen_with)
            as people_seen_with,
        case
            when override_decision = 'shared' then 'confirmed shared in the identity_overrides seed'
            when override_decision = 'personal' then null
            when is_generic_mailbox then 'generic mailbox'
            when node_kind in ('phone', 'email') and emails_seen_with > {{ max_people }}
                then 'on the records of ' || cast(emails_seen_with as varchar) || ' e-mail addresses'
            when node_kind in ('phone', 'email') and shop_customers_seen_with > {{ max_people }}
                then 'on the orders of ' || cast(shop_customers_seen_with as varchar) || ' shop customers'
            when node_kind in ('phone', 'email') and crm_contacts_seen_with > {{ max_people }}
                then 'on ' || cast(crm_contacts_seen_with as varchar) || ' CRM contacts'
            when node_kind in ('phone', 'email') and names_seen_with > {{ max_people }}
                then 'on the records of ' || cast(names_seen_with as varchar) || ' different names'
            when node_kind <> 'phone' and phones_seen_with > {{ max_phones }}
                then 'seen with ' || cast(phones_seen_with as varchar) || ' phone numbers'
        end as block_reason
    from measured
),

final as (
    select
        node,
        node_kind,
        substr(node, length(node_kind) + 2) as identifier,
        first_seen_at,
        last_seen_at,
        records,
        phones_seen_with,
        emails_seen_with,
        shop_customers_seen_with,
        crm_contacts_seen_with,
        names_seen_with,
        people_seen_with,
        is_generic_mailbox,
        override_decision,
        block_reason,
        block_reason is null as is_linkable
    from judged
)

select * from final
