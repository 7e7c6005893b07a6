-- One row per customer turn (consecutive customer messages in a conversation, DESIGN.md
-- "Reply time"): from the turn's first message to the next message a human operator
-- wrote in that conversation (null while unanswered), in wall-clock and business-hours
-- seconds, and whether it broke the inbox's next-response SLA (seed sla_policies; the
-- first turn is measured against the first-response threshold).
with

items as (
    select * from {{ ref('int_conversation_assignments') }}
    where conversation_id is not null and kind in ('customer_message', 'human_reply')
),

business_hours as (select * from {{ ref('int_business_hours') }}),
sla as (select * from {{ ref('sla_policies') }}),

flagged as (
    select
        *,
        lag(kind) over (partition by conversation_id order by pos) as previous_kind
    from items
),

turns as (
    select
        conversation_id, contact_id, inbox_id, pos as turn_pos, item_at as turn_started_at,
        row_number() over (partition by conversation_id order by pos) as turn_number
    from flagged
    where kind = 'customer_message' and (previous_kind is null or previous_kind <> 'customer_message')
),

replies as (
    select
        t.*,
        (select min(h.item_at) from items h
          where h.conversation_id = t.conversation_id and h.kind = 'human_reply' and h.pos > t.turn_pos) as replied_at,
        (select min_by(h.operator_id, h.pos) from items h
          where h.conversation_id = t.conversation_id and h.kind = 'human_reply' and h.pos > t.turn_pos) as operator_id
    from turns t
),

business as (
    select
        r.conversation_id,
        r.turn_number,
        sum({{ open_seconds_between('r.turn_started_at', 'r.replied_at') }}) as seconds
    from replies r
    join business_hours b
      on b.inbox_id = r.inbox_id and b.opens_at < r.replied_at and b.closes_at > r.turn_started_at
    group by r.conversation_id, r.turn_number
),

final as (
    select
        r.conversation_id,
        r.turn_number,
        r.contact_id,
        r.inbox_id,
        r.operator_id,
        r.turn_started_at,
        r.replied_at,
        {{ seconds_between('r.turn_started_at', 'r.replied_at') }} as reply_seconds,
        case when r.replied_at is not null then cast(coalesce(b.seconds, 0) as bigint) end as reply_business_seconds,
        case when r.turn_number = 1
            then coalesce(own.first_response_business_seconds, dflt.first_response_business_seconds)
            else coalesce(own.next_response_business_seconds, dflt.next_response_business_seconds)
        end as sla_seconds
    from replies r
    left join business b using (conversation_id, turn_number)
    left join sla own on own.inbox_id = r.inbox_id
    left join sla dflt on dflt.inbox_id = '*'
)

select *, coalesce(reply_business_seconds > sla_seconds, false) as is_sla_breach
from final
