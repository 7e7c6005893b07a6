-- Links between identifiers seen on the same record, after the guards against
-- over-merging: the business's own numbers and addresses, generic mailboxes (info@,
-- noreply@, ...) and identifiers shared by more people than the thresholds in
-- dbt_project.yml link nobody (they stay nodes of their own).
with

records as (
    select * from {{ ref('int_identity_records') }}
),

inboxes as (
    select * from {{ ref('inboxes') }}
),

business_nodes as (
    select 'phone:+' || whatsapp_display_phone_number as node from inboxes where whatsapp_display_phone_number is not null
    union all
    select 'phone:' || phone_line from inboxes where phone_line is not null
    union all
    select 'email:' || lower(trim(email_address)) from inboxes where email_address is not null
),

nodes as (
    select distinct node from records
),

cooccurrence as (
    select
        a.node,
        count(distinct case when b.node like 'phone:%' then b.node end) as phones_seen_with,
        count(distinct case when b.node like 'email:%' then b.node end) as emails_seen_with
    from records a
    join records b on b.record_id = a.record_id and b.node <> a.node
    group by a.node
),

linkable as (
    select n.node
    from nodes n
    left join cooccurrence c using (node)
    where n.node not in (select node from business_nodes)
      and not (
          n.node like 'email:%'
          and split_part(substr(n.node, 7), '@', 1) in (
              {%- for local in var('identity_generic_email_locals') %}'{{ local }}'{% if not loop.last %}, {% endif %}{% endfor -%}
          )
      )
      and case
          when n.node like 'phone:%' then coalesce(c.emails_seen_with, 0) <= {{ var('identity_max_emails_per_phone') }}
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
