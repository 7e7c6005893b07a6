-- Current consent per contact, purpose and channel (DESIGN.md "Consent"; the rules are
-- in dim_consent.yml): the deciding statement of int_consent_events.
with

events as (
    select * from {{ ref('int_consent_events') }}
),

-- explicit statements outrank implied ones; then the latest; at the same time a denial
-- wins; then the event id, so every build picks the same one
ranked as (
    select
        *,
        row_number() over (
            partition by contact_id, purpose, channel
            order by
                case when is_explicit then 0 else 1 end,
                occurred_at desc,
                case when state = 'denied' then 0 else 1 end,
                consent_event_id
        ) as rank_in_channel
    from events
),

final as (
    select
        contact_id,
        purpose,
        channel,
        state,
        occurred_at as since,
        source,
        is_explicit,
        consent_event_id,
        evidence
    from ranked
    where rank_in_channel = 1
)

select * from final
