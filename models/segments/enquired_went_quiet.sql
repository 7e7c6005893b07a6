-- Contacts who asked about a trial class, a visit, a quote, a price or availability
-- (seed enquiry_keywords), were answered, and have not written since our last message
-- for var('enquiry_quiet_hours') (24) hours, with nothing bought, booked or won since
-- the enquiry, at most var('enquiry_quiet_max_days') (30) days ago; marketing consent on
-- WhatsApp granted. Rules: enquired_went_quiet.yml.
{% set quiet_hours = var('enquiry_quiet_hours') %}
{% set max_days = var('enquiry_quiet_max_days') %}
with

messages as (
    select * from {{ ref('fct_messages') }}
    where contact_id is not null and sent_at <= {{ as_of() }}
),

inboxes as (
    select inbox_id, business_id from {{ ref('dim_inboxes') }}
),

keywords as (
    select {{ fold_text('pattern', keep='%') }} as pattern, topic
    from {{ ref('enquiry_keywords') }}
    where topic <> 'detail'
),

goals as (
    select * from {{ ref('fct_conversion_goals') }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

-- marketing on WhatsApp needs consent granted now (marts.dim_consent)
consented as (
    {{ consented_contacts('whatsapp') }}
),

-- every message with the business whose inbox carried it
business_messages as (
    select m.*, i.business_id
    from messages m
    join inboxes i on i.inbox_id = m.inbox_id
),

inbound_texts as (
    select message_id, contact_id, inbox_id, business_id, sent_at, {{ fold_text('body', keep='%') }} as folded
    from business_messages
    where direction = 'inbound' and body is not null
),

-- the topic of each enquiry: its longest matching pattern's
matches as (
    select
        t.message_id, t.contact_id, t.inbox_id, t.business_id, t.sent_at, k.topic,
        row_number() over (
            partition by t.message_id
            order by length(k.pattern) desc, k.topic
        ) as match_rank
    from inbound_texts t
    join keywords k on {{ contains_words('t.folded', 'k.pattern') }}
),

-- each contact's latest enquiry
ranked_enquiries as (
    select
        *,
        row_number() over (partition by contact_id order by sent_at desc, message_id desc) as enquiry_rank
    from matches
    where match_rank = 1
),

enquiries as (
    select
        contact_id,
        message_id as enquiry_message_id,
        topic as enquiry_topic,
        sent_at as enquired_at,
        inbox_id,
        business_id
    from ranked_enquiries
    where enquiry_rank = 1
      and sent_at >= {{ dbt.dateadd('day', -max_days, as_of()) }}
),

-- what the business sent after the enquiry, on any of its inboxes: at least one answer
-- (operator, bot or automation); the last message of any kind starts the silence
our_messages as (
    select
        e.contact_id,
        max(m.sent_at) as last_reply_at,
        max(case when m.sender_type in ('operator', 'bot', 'automation') then 1 else 0 end) as is_answered
    from enquiries e
    join business_messages m
      on m.contact_id = e.contact_id
     and m.business_id = e.business_id
     and m.direction = 'outbound'
     and m.sent_at > e.enquired_at
    group by e.contact_id
),

answered as (
    select * from our_messages where is_answered = 1
),

-- the customer wrote to the business after our last message: not quiet
customer_wrote_after as (
    select distinct a.contact_id
    from answered a
    join enquiries e on e.contact_id = a.contact_id
    join business_messages m
      on m.contact_id = a.contact_id
     and m.business_id = e.business_id
     and m.direction = 'inbound'
     and m.sent_at > a.last_reply_at
),

-- an order, a booked appointment or a won deal since the enquiry (fct_conversion_goals)
converted as (
    select distinct e.contact_id
    from enquiries e
    join goals g on g.contact_id = e.contact_id and {{ enquiry_goal_after('g', 'e.enquired_at') }}
),

measured as (
    select
        e.contact_id,
        c.first_name,
        e.enquiry_topic,
        e.enquiry_message_id,
        e.enquired_at,
        a.last_reply_at,
        cast(floor({{ seconds_between('a.last_reply_at', as_of()) }} / 3600) as integer) as hours_quiet,
        e.inbox_id,
        e.business_id
    from enquiries e
    join answered a on a.contact_id = e.contact_id
    join contacts c on c.contact_id = e.contact_id
    join consented s on s.contact_id = e.contact_id
    left join customer_wrote_after w on w.contact_id = e.contact_id
    left join converted v on v.contact_id = e.contact_id
    where w.contact_id is null and v.contact_id is null
),

final as (
    select * from measured
    where hours_quiet >= {{ quiet_hours }}
)

select * from final
