-- Every opening interval of every inbox, in UTC, over the days the data covers (plus a
-- margin for late replies): the weekly schedule in the inbox's time zone, several
-- ranges a day, minus holidays. DST is handled by converting each local range.
with

inboxes as (
    select * from {{ ref('int_inboxes') }}
),

schedule as (
    select * from {{ ref('business_hours') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

items as (
    select * from {{ ref('int_conversation_items') }}
),

bounds as (
    select
        cast(min(item_at) as date) - 1 as first_day,
        cast(max(item_at) as date) + 15 as last_day
    from items
),

days as (
    {{ days_between('(select first_day from bounds)', '(select last_day from bounds)') }}
),

-- an inbox with rows of its own uses them; the others use the '*' default
inbox_schedules as (
    select i.inbox_id, i.timezone, s.iso_weekday, s.opens_at, s.closes_at
    from inboxes i
    join schedule s on s.inbox_id = i.inbox_id
    union all
    select i.inbox_id, i.timezone, s.iso_weekday, s.opens_at, s.closes_at
    from inboxes i
    join schedule s on s.inbox_id = '*'
    where not exists (select 1 from schedule own where own.inbox_id = i.inbox_id)
),

local_intervals as (
    select
        s.inbox_id,
        s.timezone,
        d.day,
        cast(cast(d.day as varchar) || ' ' || s.opens_at || ':00' as timestamp) as opens_local,
        cast(cast(d.day as varchar) || ' ' || s.closes_at || ':00' as timestamp) as closes_local
    from inbox_schedules s
    join days d on {{ iso_weekday('d.day') }} = s.iso_weekday
    where not exists (
        select 1 from holidays h
        where h.holiday_date = d.day and h.inbox_id in (s.inbox_id, '*')
    )
),

final as (
    select
        inbox_id,
        day as local_day,
        {{ local_to_utc('opens_local', 'timezone') }} as opens_at,
        {{ local_to_utc('closes_local', 'timezone') }} as closes_at
    from local_intervals
)

select * from final
