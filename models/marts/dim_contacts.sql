-- One row per person. Identity is by phone number for now (by e-mail when a record has
-- no phone); marketing consent is the latest consent change we know of.
with

records as (
    select * from {{ ref('int_contact_records') }}
),

consent_events as (
    select * from {{ ref('int_consent_events') }}
),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

contacts as (
    select
        contact_id,
        max(phone_e164) as phone_e164,
        max_by(email, case when email is not null then seen_at end) as email,
        max_by(display_name, case when display_name is not null then seen_at end) as display_name,
        max_by(first_name, case when first_name is not null then seen_at end) as first_name,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        sum(case when record_type = 'order' then 1 else 0 end) as orders_count,
        sum(case when record_type = 'message' then 1 else 0 end) as messages_count
    from records
    group by contact_id
),

consent as (
    select
        contact_id,
        max_by(marketing_consent, occurred_at) as marketing_consent,
        max(occurred_at) as consent_updated_at
    from consent_events
    group by contact_id
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
        case
            when c.orders_count >= 2 then 'repeat_customer'
            when c.orders_count = 1 then 'customer'
            else 'lead'
        end as lifecycle_stage,
        coalesce(s.marketing_consent, false) as marketing_consent,
        s.consent_updated_at,
        cast(c.orders_count as bigint) as orders_count,
        cast(c.messages_count as bigint) as messages_count
    from contacts c
    left join consent s using (contact_id)
    left join country k using (phone_e164)
)

select * from final
