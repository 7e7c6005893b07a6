-- Which conversation each item belongs to, exactly as DESIGN.md defines conversations:
--
--   * a customer message opens a conversation when the contact has none open in that
--     inbox (and thread: an imported conversation_ref is a stream of its own);
--   * the conversation closes when the inbox resolves it (a resolution), or, once it
--     has been answered by a human (a human_reply), after `conversation_gap_hours` of silence (no item of
--     any kind in the stream);
--   * an unanswered conversation stays open across any silence, until answered or
--     resolved, so a late first reply is measured;
--   * a customer message after a resolution reopens the conversation if the silence
--     since the previous item is within the gap, otherwise it opens a new one;
--   * outbound messages while no conversation is open (none yet, closed, or resolved
--     and not reopened) belong to none.
--
-- Computed without recursion (so it runs on any SQL engine): the stream is cut into
-- "islands" wherever the silence exceeds the gap. A gap closes everything except an
-- open, unanswered conversation, and within an island the state never returns to
-- "nothing open". So each island either carries in an unanswered conversation or
-- starts one at its first customer message, and what it hands to the next island is a
-- boolean function of what it received (constant, identity or negation), whose
-- composition over islands is found with running window aggregates.
{% set gap_seconds = var('conversation_gap_hours') * 3600 %}
with

items as (
    select * from {{ ref('int_conversation_items') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by contact_id, inbox_id, stream_ref order by item_at, kind_order, item_id
        ) as pos,
        lag(item_at) over (
            partition by contact_id, inbox_id, stream_ref order by item_at, kind_order, item_id
        ) as previous_item_at
    from items
),

with_islands as (
    select
        *,
        sum(
            case
                when previous_item_at is null
                  or {{ seconds_between('previous_item_at', 'item_at') }} > {{ gap_seconds }}
                then 1 else 0
            end
        ) over (
            partition by contact_id, inbox_id, stream_ref order by pos rows between unbounded preceding and current row
        ) as island
    from ordered
),

-- per island: first customer message, last resolution, last human reply
island_marks as (
    select
        contact_id,
        inbox_id,
        stream_ref,
        island,
        min(case when kind = 'customer_message' then pos end) as first_customer_pos,
        max(case when kind = 'resolution' then pos end) as last_resolution_pos,
        max(case when kind = 'human_reply' then pos end) as last_human_reply_pos
    from with_islands
    group by contact_id, inbox_id, stream_ref, island
),

-- the first customer message after the island's last resolution (a reopening)
island_reopens as (
    select
        m.contact_id,
        m.inbox_id,
        m.stream_ref,
        m.island,
        min(w.pos) as reopen_pos
    from island_marks m
    join with_islands w
      on w.contact_id = m.contact_id
     and w.inbox_id = m.inbox_id
     and w.stream_ref = m.stream_ref
     and w.island = m.island
     and w.kind = 'customer_message'
     and w.pos > m.last_resolution_pos
    group by m.contact_id, m.inbox_id, m.stream_ref, m.island
),

-- does the island end with an open, unanswered conversation, if it received
-- nothing open (ends_open_if_none) or an unanswered conversation (ends_open_if_open)?
island_functions as (
    select
        m.*,
        r.reopen_pos,
        case
            when m.first_customer_pos is null then false
            when m.last_resolution_pos > m.first_customer_pos then r.reopen_pos is not null and coalesce(m.last_human_reply_pos, 0) < r.reopen_pos
            else coalesce(m.last_human_reply_pos, 0) < m.first_customer_pos
        end as ends_open_if_none,
        case
            when m.last_resolution_pos is not null then r.reopen_pos is not null and coalesce(m.last_human_reply_pos, 0) < r.reopen_pos
            else m.last_human_reply_pos is null
        end as ends_open_if_open
    from island_marks m
    left join island_reopens r using (contact_id, inbox_id, stream_ref, island)
),

island_kinds as (
    select
        *,
        case when ends_open_if_none = ends_open_if_open then 1 else 0 end as is_constant,
        case when ends_open_if_none and not ends_open_if_open then 1 else 0 end as is_negation
    from island_functions
),

island_counted as (
    select
        *,
        -- negations so far, this island included
        sum(is_negation) over (
            partition by contact_id, inbox_id, stream_ref order by island
            rows between unbounded preceding and current row
        ) as negations_through
    from island_kinds
),

island_running as (
    select
        *,
        -- the latest constant island before this one: its value, and the negations up
        -- to it (running maxima pick the latest, since islands and counts only grow)
        max(case when is_constant = 1 then island * 2 + case when ends_open_if_none then 1 else 0 end end) over (
            partition by contact_id, inbox_id, stream_ref order by island
            rows between unbounded preceding and 1 preceding
        ) as last_constant_code,
        max(case when is_constant = 1 then negations_through end) over (
            partition by contact_id, inbox_id, stream_ref order by island
            rows between unbounded preceding and 1 preceding
        ) as negations_at_last_constant
    from island_counted
),

island_states as (
    select
        *,
        -- true when this island receives an open, unanswered conversation
        mod(
            coalesce(mod(last_constant_code, 2), 0)
            + (negations_through - is_negation)
            - coalesce(negations_at_last_constant, 0),
            2
        ) = 1 as receives_open
    from island_running
),

island_starts as (
    select
        *,
        -- the conversation in progress: the latest one started, here or before
        max(case when not receives_open then first_customer_pos end) over (
            partition by contact_id, inbox_id, stream_ref order by island rows between unbounded preceding and current row
        ) as current_start
    from island_states
),

-- after a resolution and until the customer writes again, nothing is open: outbound
-- messages and repeated resolutions then belong to no conversation
after_resolution as (
    select
        *,
        mod(
            max(case when kind in ('customer_message', 'resolution') then pos * 2 + case when kind = 'resolution' then 1 else 0 end end) over (
                partition by contact_id, inbox_id, stream_ref order by pos
                rows between unbounded preceding and 1 preceding
            ),
            2
        ) = 1 as follows_resolution
    from with_islands
),

assigned as (
    select
        w.* exclude (follows_resolution),
        case
            when w.kind <> 'customer_message' and coalesce(w.follows_resolution, false) then null
            when s.receives_open then s.current_start
            when s.first_customer_pos is not null and w.pos >= s.first_customer_pos then s.first_customer_pos
        end as conversation_start_pos
    from after_resolution w
    join island_starts s using (contact_id, inbox_id, stream_ref, island)
),

starts as (
    select contact_id, inbox_id, stream_ref, pos as conversation_start_pos, item_id as start_item_id
    from with_islands
),

final as (
    select
        a.contact_id,
        a.inbox_id,
        a.stream_ref,
        a.item_id,
        a.item_at,
        a.kind,
        a.kind_order,
        a.operator_id,
        a.pos,
        a.island,
        s.start_item_id as conversation_start_item_id,
        case when s.start_item_id is not null then 'cv_' || left(md5(a.contact_id || '|' || a.inbox_id || '|' || s.start_item_id), 16) end as conversation_id
    from assigned a
    left join starts s using (contact_id, inbox_id, stream_ref, conversation_start_pos)
)

select * from final
