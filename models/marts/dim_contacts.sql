-- One row per person (identity resolution: int_identity_*, int_record_contacts), with
-- the phone and e-mail seen most recently among their identifiers, the most deliberate
-- name any record gives them (CRM, then order, then inbox contact, then profile name;
-- the latest at the same rank); marketing consent is dim_consent's marketing/whatsapp state.
with

records as (
    select * from {{ ref('int_contact_records') }}
),

identifiers as (
    select i.contact_id, i.node, c.first_seen_at
    from {{ ref('int_contact_ids') }} i
    join {{ ref('int_identity_components') }} c using (node)
),

consent as (
    select * from {{ ref('dim_consent') }}
    where purpose = 'marketing' and channel = 'whatsapp'
),

phones as (
    select * from {{ ref('stg_phone_numbers') }}
),

-- the stage and the rules behind it: intermediate/int_contact_lifecycle
lifecycle as (
    select contact_id, lifecycle_stage from {{ ref('int_contact_lifecycle') }}
),

-- every person identity resolution knows, with their most recently seen phone and e-mail
people as (
    select
        contact_id,
        -- (ties on the time broken by the identifier itself, so rebuilds agree)
        max_by(substr(node, 7), case when node like 'phone:%' then (first_seen_at, node) end) as phone_e164,
        max_by(substr(node, 7), case when node like 'email:%' then (first_seen_at, node) end) as email,
        min(first_seen_at) as first_seen_at,
        max(first_seen_at) as last_identifier_at
    from identifiers
    group by contact_id
),

activity as (
    select
        contact_id,
        min_by(display_name, case when display_name is not null then (name_priority, -epoch(coalesce(seen_at, timestamp '1970-01-01')), display_name) end) as display_name,
        min_by(first_name, case when first_name is not null then (name_priority, -epoch(coalesce(seen_at, timestamp '1970-01-01')), first_name) end) as first_name,
        max(seen_at) as last_seen_at,
        sum(case when record_type = 'order' then 1 else 0 end) as orders_count,
        sum(case when record_type = 'message' then 1 else 0 end) as messages_count
    from records
    group by contact_id
),

contacts as (
    select
        p.contact_id,
        p.phone_e164,
        p.email,
        a.display_name,
        a.first_name,
        p.first_seen_at,
        greatest(coalesce(a.last_seen_at, p.last_identifier_at), p.last_identifier_at) as last_seen_at,
        coalesce(a.orders_count, 0) as orders_count,
        coalesce(a.messages_count, 0) as messages_count
    from people p
    left join activity a using (contact_id)
),

country as (
    select phone_e164, min(region_code) as country_code
    from phones
    where phone_e164 is not null
    group by phone_e164
),

final as (
    select
        c.contact_id,
        c.display_name,
        coalesce(c.first_name, split_part(c.display_name, ' ', 1)) as first_name,
        c.phone_e164,
        c.email,
        k.country_code,
        c.first_seen_at,
        c.last_seen_at,
        coalesce(l.lifecycle_stage, 'lead') as lifecycle_stage,
        -- unknown consent stays null (never false)
        case when s.state = 'granted' then true when s.state = 'denied' then false end as marketing_consent,
        s.since as consent_updated_at,
        cast(c.orders_count as bigint) as orders_count,
        cast(c.messages_count as bigint) as messages_count
    from contacts c
    left join consent s using (contact_id)
    left join country k using (phone_e164)
    left join lifecycle l using (contact_id)
)

select * from final
