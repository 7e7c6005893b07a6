-- Support KPIs per local day (the inbox's time zone) and inbox, for every day from the
-- inbox's first conversation to the newest event in the data: volume, first response
-- (wall clock and business hours), reply time per customer turn, resolution, reopen
-- rate, first-contact resolution, SLA breaches by kind (fct_sla_breaches, by the day
-- the wait started), and the open, unanswered and unassigned backlogs at end of day.
with

conversations as (select * from {{ ref('fct_conversations') }}),
turns as (select * from {{ ref('fct_reply_times') }}),
breaches as (select * from {{ ref('fct_sla_breaches') }}),
periods as (select * from {{ ref('fct_conversation_open_periods') }}),
assignments as (select * from {{ ref('int_conversation_assignments') }}),
inboxes as (select * from {{ ref('int_inboxes') }}),
chatwoot_messages as (select * from {{ ref('stg_chatwoot__messages') }}),
chatwoot_events as (select * from {{ ref('stg_chatwoot__conversation_events') }}),

-- every day of every inbox, from its first conversation to the newest event
inbox_ranges as (
    select
        c.inbox_id,
        i.channel,
        i.timezone,
        min({{ local_day('c.opened_at', 'i.timezone') }}) as first_day,
        max({{ local_day('p.newest_event_at', 'i.timezone') }}) as last_day
    from conversations c
    join inboxes i using (inbox_id)
    cross join (select max(newest_event_at) as newest_event_at from periods) p
    group by c.inbox_id, i.channel, i.timezone
),

calendar as (
    {{ days_between('(select min(first_day) from inbox_ranges)', '(select max(last_day) from inbox_ranges)') }}
),

days as (
    select
        r.inbox_id,
        r.channel,
        r.timezone,
        d.day,
        {{ local_day_end_utc('d.day', 'r.timezone') }} as day_ends_at
    from inbox_ranges r
    join calendar d on d.day between r.first_day and r.last_day
),

opened as (
    select
        {{ local_day('c.opened_at', 'i.timezone') }} as day,
        c.inbox_id,
        count(*) as conversations_opened,
        count(c.first_response_at) as conversations_answered,
        {{ percentile('c.first_response_seconds', 0.5) }} as first_response_median_seconds,
        {{ percentile('c.first_response_seconds', 0.9) }} as first_response_p90_seconds,
        {{ percentile('c.first_response_business_seconds', 0.5) }} as first_response_business_median_seconds,
        {{ percentile('c.first_response_business_seconds', 0.9) }} as first_response_business_p90_seconds,
        count(c.resolved_at) as conversations_resolved,
        {{ percentile('c.resolution_seconds', 0.5) }} as resolution_median_seconds,
        {{ percentile('c.resolution_business_seconds', 0.5) }} as resolution_business_median_seconds,
        sum(case when c.reopened_count > 0 then 1 else 0 end) as conversations_reopened,
        sum(case when c.resolved_on_first_contact then 1 else 0 end) as resolved_on_first_contact
    from conversations c
    join inboxes i using (inbox_id)
    group by 1, 2
),

replies as (
    select
        {{ local_day('t.turn_started_at', 'i.timezone') }} as day,
        t.inbox_id,
        count(*) as customer_turns,
        count(t.replied_at) as customer_turns_answered,
        {{ percentile('t.reply_seconds', 0.5) }} as reply_median_seconds,
        {{ percentile('t.reply_seconds', 0.9) }} as reply_p90_seconds,
        {{ percentile('t.reply_business_seconds', 0.5) }} as reply_business_median_seconds,
        {{ percentile('t.reply_business_seconds', 0.9) }} as reply_business_p90_seconds
    from turns t
    join inboxes i using (inbox_id)
    group by 1, 2
),

breach_counts as (
    select
        {{ local_day('b.started_at', 'i.timezone') }} as day,
        b.inbox_id,
        sum(case when b.kind = 'first_response' then 1 else 0 end) as first_response_sla_breaches,
        sum(case when b.kind = 'next_response' then 1 else 0 end) as next_response_sla_breaches,
        sum(case when b.kind = 'resolution' then 1 else 0 end) as resolution_sla_breaches,
        sum(case when b.is_open then 1 else 0 end) as sla_breaches_open
    from breaches b
    join inboxes i using (inbox_id)
    group by 1, 2
),

-- conversations open at the end of each day
open_at_end_of_day as (
    select distinct
        d.day,
        d.inbox_id,
        d.day_ends_at,
        p.conversation_id
    from days d
    join periods p
      on p.inbox_id = d.inbox_id
     and p.opened_at < d.day_ends_at
     and (p.closed_at is null or p.closed_at >= d.day_ends_at)
),

-- a human reply in the conversation, or the shared inbox's assignee, by the end of the day
chatwoot_links as (
    select distinct a.conversation_id, c.chatwoot_inbox_id, c.chatwoot_conversation_id
    from assignments a
    join chatwoot_messages c
      on coalesce(c.source_id, 'chatwoot:' || c.chatwoot_message_id) = a.item_id
    where a.conversation_id is not null
),

handled as (
    select
        o.day,
        o.inbox_id,
        o.conversation_id,
        exists (
            select 1 from assignments h
            where h.conversation_id = o.conversation_id and h.kind = 'human_reply' and h.item_at < o.day_ends_at
        ) as is_answered,
        (
            select max_by(e.assignee_id, e.occurred_at)
            from chatwoot_links l
            join chatwoot_events e
              on e.chatwoot_inbox_id = l.chatwoot_inbox_id
             and e.chatwoot_conversation_id = l.chatwoot_conversation_id
            where l.conversation_id = o.conversation_id and e.occurred_at < o.day_ends_at
        ) as assignee_id
    from open_at_end_of_day o
),

backlog as (
    select
        day,
        inbox_id,
        count(*) as open_backlog_end_of_day,
        sum(case when not is_answered then 1 else 0 end) as unanswered_backlog_end_of_day,
        sum(case when not is_answered and assignee_id is null then 1 else 0 end) as unassigned_backlog_end_of_day
    from handled
    group by day, inbox_id
),

final as (
    select
        d.day,
        d.inbox_id,
        d.channel,
        coalesce(o.conversations_opened, 0) as conversations_opened,
        coalesce(o.conversations_answered, 0) as conversations_answered,
        o.first_response_median_seconds,
        o.first_response_p90_seconds,
        o.first_response_business_median_seconds,
        o.first_response_business_p90_seconds,
        coalesce(o.conversations_resolved, 0) as conversations_resolved,
        o.resolution_median_seconds,
        o.resolution_business_median_seconds,
        coalesce(o.conversations_reopened, 0) as conversations_reopened,
        coalesce(o.resolved_on_first_contact, 0) as resolved_on_first_contact,
        cast(o.conversations_reopened as double) / nullif(o.conversations_resolved, 0) as reopen_rate,
        cast(o.resolved_on_first_contact as double) / nullif(o.conversations_resolved, 0) as first_contact_resolution_rate,
        coalesce(r.customer_turns, 0) as customer_turns,
        coalesce(r.customer_turns_answered, 0) as customer_turns_answered,
        r.reply_median_seconds,
        r.reply_p90_seconds,
        r.reply_business_median_seconds,
        r.reply_business_p90_seconds,
        coalesce(b.first_response_sla_breaches, 0) as first_response_sla_breaches,
        coalesce(b.next_response_sla_breaches, 0) as next_response_sla_breaches,
        coalesce(b.resolution_sla_breaches, 0) as resolution_sla_breaches,
        coalesce(b.sla_breaches_open, 0) as sla_breaches_open,
        coalesce(k.open_backlog_end_of_day, 0) as open_backlog_end_of_day,
        coalesce(k.unanswered_backlog_end_of_day, 0) as unanswered_backlog_end_of_day,
        coalesce(k.unassigned_backlog_end_of_day, 0) as unassigned_backlog_end_of_day
    from days d
    left join opened o using (day, inbox_id)
    left join replies r using (day, inbox_id)
    left join breach_counts b using (day, inbox_id)
    left join backlog k using (day, inbox_id)
)

select * from final
