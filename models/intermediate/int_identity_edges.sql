-- Links between identifiers seen on the same record, after the guards against
-- over-merging: the business's own numbers and addresses, generic mailboxes (info@,
-- noreply@, ...) and identifiers shared by more people than the thresholds in
-- dbt_project.yml link nobody (they stay nodes of their own).
with

records as (
    select * from {{ ref('int_identity_records') }}
),

-- identifiers that are never a person: the business's own, generic mailboxes
-- (the business's own numbers and addresses are already left out of the records)
never_a_person as (
    select distinct node from records
    where node like 'email:%'
      and split_part(substr(node, 7), '@', 1) in (
          {%- for local in var('identity_generic_email_locals') %}'{{ local }}'{% if not loop.last %}, {% endif %}{% endfor -%}
      )
),

personal_records as (
    select r.record_id, r.node
    from records r
    where r.node not in (select node from never_a_person)
),

-- how many different people an identifier is seen with (people counted by phone,
-- and a phone's people by e-mail)
cooccurrence as (
    select
        a.node,
        count(distinct case when b.node like 'phone:%' then b.node end) as phones_seen_with,
        count(distinct case when b.node like 'email:%' then b.node end) as emails_seen_with
    from personal_records a
    join personal_records b on b.record_id = a.record_id and b.node <> a.node
    group by a.node
),

linkable as (
    select distinct r.node
    from personal_records r
    left join cooccurrence c using (node)
    where case
        when r.node like 'phone:%' then coalesce(c.emails_seen_with, 0) <= {{ var('identity_max_emails_per_phone') }}
        else coalesce(c.phones_seen_with, 0) <= {{ var('identity_max_phones_per_identifier') }}
    end
),

linkable_records as (
    select r.record_id, r.node
    from records r
    join linkable l using (node)
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
