{{ config(meta={"dagster": {"ref": {"name": "int_identity_components"}}}) }}
-- Label propagation ran enough rounds: no link joins two different components.
-- (If this fails, raise var identity_propagation_rounds.)
select e.node_a, e.node_b, a.component as component_a, b.component as component_b
from {{ ref('int_identity_edges') }} e
join {{ ref('int_identity_components') }} a on a.node = e.node_a
join {{ ref('int_identity_components') }} b on b.node = e.node_b
where a.component <> b.component
