-- Work per operator, UTC day and channel: messages written, conversations replied in,
-- conversations they answered first (and those first responses' medians), customer
-- turns they answered (reply-time medians, wall clock and business hours), resolutions
-- of conversations they were the last to answer, and SLA breaches attributed to them.
with

messages as (select * from {{ ref('fct_messages') }} where sender_type = 'operator' and operator_id is not null),
conversations as (select * from {{ ref('fct_conversations') }}),
turns as (select * from {{ ref('fct_reply_times') }} where operator_id is not null),
breaches as (select * from {{ ref('fct_sla_breaches') }} where operator_id is not null),
inboxes as (select * from {{ ref('int_inboxes') }}),

sent as (
    select
        {{ dbt.date_trunc('day', 'sent_at') }} as day,
        operator_id,
        channel,
        count(*) as messages_sent,
        count(distinct conversation_id) as conversations_replied
    from messages
    group by 1, 2, 3
),

-- the first turn's replier is the conversation's first responder
first_responses as (
    select
        {{ dbt.date_trunc('day', 'c.first_response_at') }} as day,
        t.operator_id,
        c.channel,
        count(*) as first_responses,
        {{ percentile('c.first_response_seconds', 0.5) }} as first_response_median_seconds,
        {{ percentile('c.first_response_business_seconds', 0.5) }} as first_response_business_median_seconds
    from conversations c
    join turns t on t.conversation_id = c.conversation_id and t.turn_number = 1
    group by 1, 2, 3
),

replies as (
    select
        {{ dbt.date_trunc('day', 't.replied_at') }} as day,
        t.operator_id,
        i.channel,
        count(*) as turns_answered,
        {{ percentile('t.reply_seconds', 0.5) }} as reply_median_seconds,
        {{ percentile('t.reply_business_seconds', 0.5) }} as reply_business_median_seconds
    from turns t
    join inboxes i using (inbox_id)
    group by 1, 2, 3
),

resolutions as (
    select
        {{ dbt.date_trunc('day', 'resolved_at') }} as day,
        assignee_id as operator_id,
        channel,
        count(*) as resolutions
    from conversations
    where resolved_at is not null and assignee_id is not null
    group by 1, 2, 3
),

breach_counts as (
    select
        {{ dbt.date_trunc('day', 'started_at') }} as day,
        operator_id,
        channel,
        count(*) as sla_breaches,
        sum(case when kind = 'first_response' then 1 else 0 end) as first_response_sla_breaches,
        sum(case when kind = 'next_response' then 1 else 0 end) as next_response_sla_breaches,
        sum(case when kind = 'resolution' then 1 else 0 end) as resolution_sla_breaches
    from breaches
    group by 1, 2, 3
),

keys as (
    select day, operator_id, channel from sent
    union select day, operator_id, channel from first_responses
    union select day, operator_id, channel from replies
    union select day, operator_id, channel from resolutions
    union select day, operator_id, channel from breach_counts
),

final as (
    select
        cast(k.day as date) as day,
        k.operator_id,
        k.channel,
        coalesce(s.messages_sent, 0) as messages_sent,
        coalesce(s.conversations_replied, 0) as conversations_replied,
        coalesce(f.first_responses, 0) as first_responses,
        f.first_response_median_seconds,
        f.first_response_business_median_seconds,
        coalesce(r.turns_answered, 0) as turns_answered,
        r.reply_median_seconds,
        r.reply_business_median_seconds,
        coalesce(z.resolutions, 0) as resolutions,
        coalesce(b.sla_breaches, 0) as sla_breaches,
        coalesce(b.first_response_sla_breaches, 0) as first_response_sla_breaches,
        coalesce(b.next_response_sla_breaches, 0) as next_response_sla_breaches,
        coalesce(b.resolution_sla_breaches, 0) as resolution_sla_breaches
    from keys k
    left join sent s on s.day = k.day and s.operator_id = k.operator_id and s.channel is not distinct from k.channel
    left join first_responses f on f.day = k.day and f.operator_id = k.operator_id and f.channel is not distinct from k.channel
    left join replies r on r.day = k.day and r.operator_id = k.operator_id and r.channel is not distinct from k.channel
    left join resolutions z on z.day = k.day and z.operator_id = k.operator_id and z.channel is not distinct from k.channel
    left join breach_counts b on b.day = k.day and b.operator_id = k.operator_id and b.channel is not distinct from k.channel
)

select * from final
