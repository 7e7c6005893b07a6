-- Support KPIs per day (in the inbox's time zone), inbox and channel: volume, first
-- response (wall clock and business hours), resolution, reopen rate, first-contact
-- resolution, first-response SLA breaches, and the unanswered backlog at end of day.
with

conversations as (select * from {{ ref('fct_conversations') }}),
inboxes as (select * from {{ ref('inboxes') }}),
sla as (select * from {{ ref('sla_policies') }}),

with_policy as (
    select
        c.*,
        cast(timezone(i.timezone, timezone('UTC', c.opened_at)) as date) as local_day,
        coalesce(own.first_response_business_seconds, dflt.first_response_business_seconds) as first_response_sla_seconds
    from conversations c
    join inboxes i using (inbox_id)
    left join sla own on own.inbox_id = c.inbox_id
    left join sla dflt on dflt.inbox_id = '*'
),

daily as (
    select
        local_day as day,
        inbox_id,
        channel,
        count(*) as conversations_opened,
        count(first_response_at) as conversations_answered,
        quantile_cont(first_response_seconds, 0.5) as first_response_median_seconds,
        quantile_cont(first_response_seconds, 0.9) as first_response_p90_seconds,
        quantile_cont(first_response_business_seconds, 0.5) as first_response_business_median_seconds,
        quantile_cont(first_response_business_seconds, 0.9) as first_response_business_p90_seconds,
        count(resolved_at) as conversations_resolved,
        quantile_cont(resolution_seconds, 0.5) as resolution_median_seconds,
        sum(case when reopened_count > 0 then 1 else 0 end) as conversations_reopened,
        sum(case when resolved_on_first_contact then 1 else 0 end) as resolved_on_first_contact,
        sum(case when first_response_business_seconds > first_response_sla_seconds then 1 else 0 end) as first_response_sla_breaches
    from with_policy
    group by local_day, inbox_id, channel
),

-- conversations opened by the end of the day still without a first reply
backlog as (
    select
        d.day,
        d.inbox_id,
        count(c.conversation_id) as unanswered_backlog_end_of_day
    from daily d
    join inboxes i using (inbox_id)
    left join conversations c
      on c.inbox_id = d.inbox_id
     and c.opened_at < timezone('UTC', timezone(i.timezone, cast(d.day + 1 as timestamp)))
     and (c.first_response_at is null
          or c.first_response_at >= timezone('UTC', timezone(i.timezone, cast(d.day + 1 as timestamp))))
    group by d.day, d.inbox_id
),

final as (
    select
        d.*,
        cast(d.conversations_reopened as double) / nullif(d.conversations_resolved, 0) as reopen_rate,
        cast(d.resolved_on_first_contact as double) / nullif(d.conversations_resolved, 0) as first_contact_resolution_rate,
        b.unanswered_backlog_end_of_day
    from daily d
    left join backlog b using (day, inbox_id)
)

select * from final
