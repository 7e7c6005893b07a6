-- Links between identifiers seen on the same record, among the identifiers that may
-- link (int_identity_nodes: generic mailboxes and identifiers shared by more people than
-- one person has stay nodes of their own). Each record's linkable identifiers are
-- joined in a star around the smallest of them.
with

records as (
    select * from {{ ref('int_identity_records') }}
),

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

linkable_records as (
    select distinct r.record_id, r.node
    from records r
    join nodes n on n.node = r.node and n.is_linkable
),

anchors as (
    select record_id, min(node) as anchor
    from linkable_records
    group by record_id
),

star as (
    select distinct r.node, a.anchor
    from linkable_records r
    join anchors a using (record_id)
    where r.node <> a.anchor
)

select node as node_a, anchor as node_b from star
union
select anchor as node_a, node as node_b from star
