-- One row per period a conversation was open (DESIGN.md "Conversation"): it opens with
-- its first customer message, a resolution closes it, a customer message after the
-- resolution reopens it (a new period), and once a human has answered it closes after
-- `conversation_gap_hours` of silence. A period whose end is not reached by the newest
-- event in the data is still open (closed_at null). Backlogs and open SLA breaches
-- read this.
{% set gap_seconds = var('conversation_gap_hours') * 3600 %}
with

assignments as (
    select * from {{ ref('int_conversation_assignments') }}
),

newest as (
    select max(item_at) as newest_event_at from assignments
),

items as (
    select * from assignments
    where conversation_id is not null
),

-- resolutions before each item: the item's period number
numbered as (
    select
        *,
        coalesce(sum(case when kind = 'resolution' then 1 else 0 end) over (
            partition by conversation_id order by pos
            rows between unbounded preceding and 1 preceding
        ), 0) as period_number,
        max(case when kind = 'human_reply' then 1 else 0 end) over (partition by conversation_id) = 1 as is_answered
    from items
),

periods as (
    select
        conversation_id,
        period_number,
        min(contact_id) as contact_id,
        min(inbox_id) as inbox_id,
        min(case when kind = 'customer_message' then item_at end) as opened_at,
        max(case when kind = 'resolution' then item_at end) as resolved_at,
        max(item_at) as last_item_at,
        bool_or(is_answered) as is_answered
    from numbered
    group by conversation_id, period_number
),

final as (
    select
        p.conversation_id,
        p.period_number,
        p.contact_id,
        p.inbox_id,
        p.opened_at,
        case
            when p.resolved_at is not null then p.resolved_at
            when p.is_answered
             and {{ seconds_between('p.last_item_at', 'n.newest_event_at') }} > {{ gap_seconds }}
                then {{ dbt.dateadd('second', gap_seconds, 'p.last_item_at') }}
        end as closed_at,
        case
            when p.resolved_at is not null then 'resolved'
            when p.is_answered
             and {{ seconds_between('p.last_item_at', 'n.newest_event_at') }} > {{ gap_seconds }}
                then 'inactivity'
        end as close_reason,
        n.newest_event_at
    from periods p
    cross join newest n
    where p.opened_at is not null
)

select * from final
