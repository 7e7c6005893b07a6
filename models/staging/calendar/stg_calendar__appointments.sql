-- Appointments, one row per event occurrence: the latest version (SEQUENCE, then
-- LAST-MODIFIED) of each (UID, RECURRENCE-ID).
with

source as (
    select * from {{ source('raw', 'appointments') }}
),

latest as (
    select
        -- ids
        uid || coalesce(':' || cast(recurrence_id as varchar), '') as appointment_id,
        uid,
        calendar_name,

        -- what and who
        summary,
        location,
        upper(status) as status,
        cast(attendee_emails as varchar) as attendee_emails_json,
        cast(attendee_phones as varchar) as attendee_phones_json,

        -- timestamps
        starts_at,
        ends_at,
        last_modified
    from source
    qualify row_number() over (
        partition by uid, recurrence_id order by sequence desc, last_modified desc nulls last, raw desc
    ) = 1
)

select * from latest
