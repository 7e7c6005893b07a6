-- Work per operator and day: messages written, conversations they answered first,
-- conversations they replied in, and their own first-response times.
with

messages as (select * from {{ ref('fct_messages') }} where sender_type = 'operator' and operator_id is not null),
conversations as (select * from {{ ref('fct_conversations') }}),
assignments as (select * from {{ ref('int_conversation_assignments') }}),

first_responders as (
    select
        a.conversation_id,
        min_by(a.operator_id, a.pos) as first_responder_id
    from assignments a
    where a.kind = 'H'
    group by a.conversation_id
),

sent as (
    select
        cast(sent_at as date) as day,
        operator_id,
        channel,
        count(*) as messages_sent,
        count(distinct conversation_id) as conversations_replied
    from messages
    group by 1, 2, 3
),

first_responses as (
    select
        cast(c.first_response_at as date) as day,
        f.first_responder_id as operator_id,
        c.channel,
        count(*) as first_responses,
        quantile_cont(c.first_response_seconds, 0.5) as first_response_median_seconds,
        quantile_cont(c.first_response_business_seconds, 0.5) as first_response_business_median_seconds
    from conversations c
    join first_responders f using (conversation_id)
    group by 1, 2, 3
)

select
    coalesce(s.day, f.day) as day,
    coalesce(s.operator_id, f.operator_id) as operator_id,
    coalesce(s.channel, f.channel) as channel,
    coalesce(s.messages_sent, 0) as messages_sent,
    coalesce(s.conversations_replied, 0) as conversations_replied,
    coalesce(f.first_responses, 0) as first_responses,
    f.first_response_median_seconds,
    f.first_response_business_median_seconds
from sent s
full outer join first_responses f
  on f.day = s.day and f.operator_id = s.operator_id and f.channel = s.channel
