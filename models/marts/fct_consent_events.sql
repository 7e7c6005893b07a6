-- One row per consent statement seen (int_consent_events), with whether it is the one
-- that decides the contact's current state on its purpose and channel (dim_consent).
with

events as (
    select * from {{ ref('int_consent_events') }}
),

current_state as (
    select consent_event_id from {{ ref('dim_consent') }}
),

final as (
    select
        -- ids
        e.consent_event_id,
        e.contact_id,

        -- the statement
        e.purpose,
        e.channel,
        e.state,
        e.is_explicit,
        case when c.consent_event_id is not null then true else false end as decides_current_state,

        -- timestamps
        e.occurred_at,

        -- where it came from
        e.source,
        e.evidence_record_id,
        e.evidence
    from events e
    left join current_state c on c.consent_event_id = e.consent_event_id
)

select * from final
