-- One row per conversation (DESIGN.md "Conversation"), with first response, resolution
-- and reopen measures.
with

assignments as (
    select * from {{ ref('int_conversation_assignments') }}
    where conversation_id is not null
),

business_hours as (
    select * from {{ ref('int_business_hours') }}
),

inboxes as (
    select * from {{ ref('int_inboxes') }}
),

messages as (
    select * from {{ ref('int_messages') }}
),

chatwoot_conversation_events as (
    select * from {{ ref('stg_chatwoot__conversation_events') }}
),

chatwoot_messages as (
    select * from {{ ref('stg_chatwoot__messages') }}
),

-- a customer message right after a resolution (no customer message in between) reopens
reopen_flags as (
    select
        conversation_id,
        kind,
        case
            when kind = 'customer_message'
             and lag(kind) over (partition by conversation_id order by pos) = 'resolution'
            then 1 else 0
        end as is_reopen
    from assignments
    where kind in ('customer_message', 'resolution')
),

reopens as (
    select conversation_id, sum(is_reopen) as reopened_count
    from reopen_flags
    group by conversation_id
),

measured as (
    select
        conversation_id,
        min(contact_id) as contact_id,
        min(inbox_id) as inbox_id,
        min(item_at) as opened_at,
        min(case when kind = 'human_reply' then item_at end) as first_response_at,
        max(case when kind = 'resolution' then pos end) as last_resolution_pos,
        max(case when kind = 'customer_message' then pos end) as last_customer_pos,
        max(case when kind = 'resolution' then item_at end) as last_resolution_at,
        max_by(operator_id, case when kind = 'human_reply' then pos end) as last_operator_id,
        count(distinct case when kind = 'human_reply' then operator_id end) as operators_count,
        sum(case when kind = 'customer_message' then 1 else 0 end) as inbound_count,
        sum(case when kind in ('human_reply', 'other_outbound') then 1 else 0 end) as outbound_count
    from assignments
    group by conversation_id
),

-- seconds of opening hours between opening and first response, and between opening and
-- the resolution that closed it
business_seconds as (
    select
        m.conversation_id,
        sum(case when b.opens_at < m.first_response_at
            then {{ open_seconds_between('m.opened_at', 'm.first_response_at') }} end
        ) as first_response_business_seconds,
        sum(case when b.opens_at < m.last_resolution_at
                  and m.last_resolution_pos > coalesce(m.last_customer_pos, 0)
            then {{ open_seconds_between('m.opened_at', 'm.last_resolution_at') }} end
        ) as resolution_business_seconds
    from measured m
    join business_hours b
      on b.inbox_id = m.inbox_id
     and b.closes_at > m.opened_at
     and b.opens_at < greatest(
         coalesce(m.first_response_at, m.opened_at), coalesce(m.last_resolution_at, m.opened_at)
     )
    group by m.conversation_id
),

-- labels: the latest label list of the inbox conversations this conversation spans
-- (Chatwoot's conversation ids are per account; with the inbox they are unique)
chatwoot_links as (
    select distinct a.conversation_id, c.chatwoot_inbox_id, c.chatwoot_conversation_id
    from assignments a
    join chatwoot_messages c
      on coalesce(c.source_id, 'chatwoot:' || c.chatwoot_message_id) = a.item_id
),

latest_labels as (
    select
        chatwoot_inbox_id,
        chatwoot_conversation_id,
        max_by(labels_json, occurred_at) as labels_json
    from chatwoot_conversation_events
    where labels_json is not null
    group by chatwoot_inbox_id, chatwoot_conversation_id
),

labels as (
    select
        l.conversation_id,
        {{ dbt.listagg('distinct label', "','", 'order by label') }} as labels
    from chatwoot_links l
    join (
        select
            chatwoot_inbox_id,
            chatwoot_conversation_id,
            unnest(cast(cast(labels_json as json) as varchar[])) as label
        from latest_labels
    ) x using (chatwoot_inbox_id, chatwoot_conversation_id)
    group by l.conversation_id
),

final as (
    select
        -- ids
        m.conversation_id,
        m.contact_id,
        i.channel,
        m.inbox_id,
        m.last_operator_id as assignee_id,

        -- timestamps
        m.opened_at,
        m.first_response_at,
        case when m.last_resolution_pos > coalesce(m.last_customer_pos, 0)
            then m.last_resolution_at end as resolved_at,

        -- measures
        {{ seconds_between('m.opened_at', 'm.first_response_at') }} as first_response_seconds,
        case when m.first_response_at is not null
            then cast(coalesce(b.first_response_business_seconds, 0) as bigint) end as first_response_business_seconds,
        {{ seconds_between(
            'm.opened_at',
            'case when m.last_resolution_pos > coalesce(m.last_customer_pos, 0) then m.last_resolution_at end'
        ) }} as resolution_seconds,
        case when m.last_resolution_pos > coalesce(m.last_customer_pos, 0)
            then cast(coalesce(b.resolution_business_seconds, 0) as bigint) end as resolution_business_seconds,
        lb.labels,
        cast(m.inbound_count as bigint) as inbound_count,
        cast(m.outbound_count as bigint) as outbound_count,
        cast(coalesce(r.reopened_count, 0) as bigint) as reopened_count,
        coalesce(
            m.last_resolution_pos > coalesce(m.last_customer_pos, 0)
            and coalesce(r.reopened_count, 0) = 0
            and m.operators_count <= 1,
            false
        ) as resolved_on_first_contact
    from measured m
    left join inboxes i using (inbox_id)
    left join reopens r using (conversation_id)
    left join business_seconds b using (conversation_id)
    left join labels lb using (conversation_id)
)

select * from final
