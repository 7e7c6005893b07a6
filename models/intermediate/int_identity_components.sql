-- People as connected components of the identifier graph, by label propagation: every
-- node starts labelled with itself and takes the smallest label among itself and its
-- neighbours, for `identity_propagation_rounds` rounds (unrolled, no recursion, so it
-- runs on any engine). A test on this model fails if a wider component was not done.
with

records as (
    select * from {{ ref('int_identity_records') }}
),

edges as (
    select * from {{ ref('int_identity_edges') }}
),

nodes as (
    select node, min(seen_at) as first_seen_at
    from records
    group by node
),

-- every node is its own neighbour, so one join per round carries its own label too
neighbours as (
    select node_a, node_b from edges
    union all
    select node, node from nodes
),

labels_0 as (
    select node, node as label from nodes
),

{% for round in range(1, var('identity_propagation_rounds') + 1) %}
labels_{{ round }} as (
    select nb.node_a as node, min(l.label) as label
    from neighbours nb
    join labels_{{ round - 1 }} l on l.node = nb.node_b
    group by nb.node_a
),
{% endfor %}

final as (
    select n.node, l.label as component, n.first_seen_at
    from nodes n
    join labels_{{ var('identity_propagation_rounds') }} l using (node)
)

select * from final
