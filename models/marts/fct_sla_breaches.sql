-- Every SLA breach (seed sla_policies, per inbox, '*' default; business-hours seconds):
-- one row per conversation and kind for first_response and resolution, one per later
-- customer turn for next_response. A wait is measured from its start (the opening
-- message, or the turn's first message) to its end (the first human reply after it,
-- or the resolution); while it has not ended and its conversation is still open, to
-- the newest event in the data, and then a breach is listed as still open. A wait whose
-- conversation closed without that end (resolved without a reply, closed by
-- inactivity) is not measured. It is a breach when the business seconds exceed the
-- threshold; due_at is the moment the threshold was reached.
with

conversations as (select * from {{ ref('fct_conversations') }}),
turns as (select * from {{ ref('fct_reply_times') }}),
periods as (select * from {{ ref('fct_conversation_open_periods') }}),
business_hours as (select * from {{ ref('int_business_hours') }}),
sla as (select * from {{ ref('sla_policies') }}),

newest as (
    select max(newest_event_at) as newest_event_at from periods
),

-- the period still open at the newest event, per conversation
open_periods as (
    select conversation_id, opened_at as open_since
    from periods
    where closed_at is null
),

policies as (
    select
        c.inbox_id,
        coalesce(own.first_response_business_seconds, dflt.first_response_business_seconds) as first_response_threshold,
        coalesce(own.next_response_business_seconds, dflt.next_response_business_seconds) as next_response_threshold,
        coalesce(own.resolution_business_seconds, dflt.resolution_business_seconds) as resolution_threshold
    from (select distinct inbox_id from conversations) c
    left join sla own on own.inbox_id = c.inbox_id
    left join sla dflt on dflt.inbox_id = '*'
),

-- every wait an SLA applies to
waits as (
    select
        c.conversation_id, cast(null as bigint) as turn_number, 'first_response' as kind,
        c.opened_at as started_at, c.first_response_at as ended_at,
        f.operator_id as operator_id
    from conversations c
    left join turns f on f.conversation_id = c.conversation_id and f.turn_number = 1
    union all
    select
        t.conversation_id, t.turn_number, 'next_response',
        t.turn_started_at, t.replied_at, t.operator_id
    from turns t
    where t.turn_number > 1
    union all
    select
        c.conversation_id, cast(null as bigint), 'resolution',
        c.opened_at, c.resolved_at, c.assignee_id
    from conversations c
),

-- where each wait stops being measured: its end, or the newest event while still open
measured_spans as (
    select
        w.conversation_id || ':' || w.kind || coalesce(':' || cast(w.turn_number as varchar), '') as breach_id,
        w.*,
        c.contact_id,
        c.inbox_id,
        c.channel,
        c.assignee_id,
        w.ended_at is null as is_open,
        coalesce(w.ended_at, n.newest_event_at) as measured_until,
        case w.kind
            when 'first_response' then p.first_response_threshold
            when 'next_response' then p.next_response_threshold
            else p.resolution_threshold
        end as threshold_business_seconds
    from waits w
    join conversations c using (conversation_id)
    join policies p on p.inbox_id = c.inbox_id
    cross join newest n
    left join open_periods o on o.conversation_id = w.conversation_id
    where w.ended_at is not null
       or (o.conversation_id is not null and w.started_at >= o.open_since)
),

-- the opening hours inside each span, in order, with the running total
span_hours as (
    select
        s.breach_id,
        greatest(s.started_at, b.opens_at) as counted_from,
        {{ seconds_between('greatest(s.started_at, b.opens_at)', 'least(s.measured_until, b.closes_at)') }} as seconds,
        sum({{ seconds_between('greatest(s.started_at, b.opens_at)', 'least(s.measured_until, b.closes_at)') }}) over (
            partition by s.breach_id
            order by b.opens_at
            rows between unbounded preceding and current row
        ) as running_seconds,
        s.threshold_business_seconds
    from measured_spans s
    join business_hours b
      on b.inbox_id = s.inbox_id
     and b.opens_at < s.measured_until
     and b.closes_at > s.started_at
),

span_totals as (
    select
        breach_id,
        sum(seconds) as measured_business_seconds,
        -- the first moment the running total reaches the threshold
        min(
            case when running_seconds >= threshold_business_seconds
                then {{ dbt.dateadd('second', 'threshold_business_seconds - (running_seconds - seconds)', 'counted_from') }}
            end
        ) as due_at
    from span_hours
    group by breach_id
),

final as (
    select
        -- ids
        s.breach_id,
        s.conversation_id,
        s.turn_number,
        s.kind,
        s.contact_id,
        s.inbox_id,
        s.channel,
        s.assignee_id,
        s.operator_id,

        -- measures
        cast(s.threshold_business_seconds as bigint) as threshold_business_seconds,
        cast(coalesce(t.measured_business_seconds, 0) as bigint) as measured_business_seconds,

        -- timestamps
        s.started_at,
        t.due_at,
        s.ended_at,
        s.measured_until,

        -- state
        s.is_open
    from measured_spans s
    left join span_totals t using (breach_id)
    where coalesce(t.measured_business_seconds, 0) > s.threshold_business_seconds
)

select * from final
