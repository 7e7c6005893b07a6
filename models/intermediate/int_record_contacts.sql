-- The contact of every record that shows a person's identifiers: one row per record_id
-- (the keys of int_identity_records). Every model that attaches records to people joins
-- this one by record id; none re-derives identity.
--
-- The precedence rule, written once: a record's contact is the contact of its
-- identifiers that may link (they are all in one component, so they agree); when a
-- record has none, it falls through to its blocked identifiers (a shared phone is still
-- the one number that wrote on WhatsApp), taking a phone, then an e-mail, then an
-- account on a messaging channel, then a shop or CRM id (macro node_precedence). The
-- business's own numbers and addresses are not identifiers at all, so an order that shows
-- the shop's landline and the customer's e-mail belongs to the e-mail.
with

records as (
    select * from {{ ref('int_identity_records') }}
),

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

contact_ids as (
    select * from {{ ref('int_contact_ids') }}
),

candidates as (
    select
        r.record_id,
        r.record_source,
        r.node,
        c.contact_id,
        n.is_linkable,
        case when n.is_linkable then 0 else 10 end + {{ node_precedence('r.node') }} as precedence
    from records r
    join nodes n on n.node = r.node
    join contact_ids c on c.node = r.node
),

ranked as (
    select
        *,
        row_number() over (partition by record_id order by precedence, node) as rank_in_record
    from candidates
),

final as (
    select
        record_id,
        record_source,
        contact_id,
        node as resolved_by_node,
        is_linkable as resolved_by_linkable_node
    from ranked
    where rank_in_record = 1
)

select * from final
