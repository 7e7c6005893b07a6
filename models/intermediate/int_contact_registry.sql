{{ config(materialized='incremental', on_schema_change='append_new_columns') }}
-- The history of which contact each identifier belongs to: append-only, one row each
-- time an identifier gets a contact (first seen, or moved by a merge).
--
-- contact_id is stable: a component keeps the contact id its identifiers already had;
-- a new component gets an id derived from its earliest-seen identifier; when a
-- component spans several existing contacts (they merged), the contact seen first
-- survives and the others' identifiers move to it (marts.contact_merges lists them);
-- when a contact's identifiers split into several components, the part holding its
-- earliest-seen identifier keeps the id and the others get new ones.
-- After each build the whole history is saved under THREADLINE_HOME/state/ (macro
-- save_contact_registry), so a warehouse rebuilt from landing/ and state/ keeps every
-- contact id.
with

components as (
    select * from {{ ref('int_identity_components') }}
),

-- every assignment made so far: this table's, or, when it is built from scratch (a new
-- warehouse, a full refresh), the history saved under THREADLINE_HOME/state/
history as (
{% if is_incremental() %}
    select node, contact_id, valid_from from {{ this }}
{% else %}
    select node, contact_id, valid_from from {{ ref('stg_state__contact_registry') }}
{% endif %}
),

previous as (
    select node, contact_id, valid_from
    from history
    qualify row_number() over (partition by node order by valid_from desc, contact_id) = 1
),

-- the contacts a component already spans, each with its earliest-seen identifier
existing_per_component as (
    select c.component, p.contact_id, min(c.first_seen_at) as first_seen_at
    from components c
    join previous p using (node)
    group by c.component, p.contact_id
),

-- a contact whose identifiers are now in several components (they split: an identifier
-- stopped linking) stays with the component that holds its earliest-seen identifier;
-- the other parts get contacts of their own
claims as (
    select
        *,
        row_number() over (partition by contact_id order by first_seen_at, component) as claim_rank
    from existing_per_component
),

survivors as (
    select component, min_by(contact_id, cast(first_seen_at as varchar) || contact_id) as contact_id
    from claims
    where claim_rank = 1
    group by component
),

founders as (
    select component, min_by(node, cast(first_seen_at as varchar) || node) as founder
    from components
    group by component
),

-- every contact id given so far: a new contact never takes one of them (the part that
-- split off a contact may have that contact's founding identifier)
used_ids as (
    select distinct contact_id from history
),

fresh_ids as (
    select
        f.component,
        case
            when u.contact_id is null then 'ct_' || left(md5(f.founder), 16)
            else 'ct_' || left(md5(f.founder || '|after|' || u.contact_id), 16)
        end as contact_id
    from founders f
    left join used_ids u on u.contact_id = 'ct_' || left(md5(f.founder), 16)
),

assigned as (
    select
        c.node,
        coalesce(s.contact_id, n.contact_id) as contact_id
    from components c
    join fresh_ids n using (component)
    left join survivors s using (component)
),

changes as (
    select a.node, a.contact_id, cast({{ dbt.current_timestamp() }} as timestamp) as valid_from
    from assigned a
    left join previous p using (node)
    where p.contact_id is null or p.contact_id <> a.contact_id
)

{% if is_incremental() %}
select * from changes
{% else %}
select * from history
union all
select * from changes
{% endif %}
