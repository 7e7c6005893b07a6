-- Current consent per contact, purpose and channel (DESIGN.md "Consent"). Built from
-- int_consent_events; the rules are in dim_consent.yml.
with

events as (
    select * from {{ ref('int_consent_events') }}
),

latest as (
    select
        contact_id,
        'marketing' as purpose,
        'whatsapp' as channel,
        max_by(marketing_consent, occurred_at) as granted,
        max(occurred_at) as since,
        max_by(source, occurred_at) as source
    from events
    group by contact_id
),

final as (
    select
        contact_id,
        purpose,
        channel,
        case when granted then 'granted' else 'denied' end as state,
        since,
        source
    from latest
)

select * from final
