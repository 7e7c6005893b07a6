-- One row per merge of two contacts: new data showed that identifiers of
-- `merged_contact_id` belong to the same person as `into_contact_id`.
with

registry as (
    select * from {{ ref('int_contact_registry') }}
),

moves as (
    select
        node,
        lag(contact_id) over (partition by node order by valid_from, contact_id) as merged_contact_id,
        contact_id as into_contact_id,
        valid_from as merged_at
    from registry
),

final as (
    select
        merged_contact_id,
        into_contact_id,
        min(merged_at) as merged_at,
        count(*) as identifiers_moved
    from moves
    where merged_contact_id is not null and merged_contact_id <> into_contact_id
    group by merged_contact_id, into_contact_id
)

select * from final
