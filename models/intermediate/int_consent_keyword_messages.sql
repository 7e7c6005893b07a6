-- Inbound customer messages that state consent by a keyword or a clear request
-- (seed consent_keywords, matched on folded text: macros/matching.sql).
with

messages as (
    select * from {{ ref('int_messages') }}
),

keywords as (
    select * from {{ ref('consent_keywords') }}
),

patterns as (
    select
        {{ fold_text('pattern') }} as folded_pattern,
        pattern,
        state,
        match_kind,
        language
    from keywords
    where pattern is not null
),

-- what the customer wrote, folded (once: every step below reads it); long messages are
-- letters, not requests
candidates as {{ materialized_cte() }} (
    select
        message_id,
        contact_id,
        channel,
        source,
        sent_at,
        body,
        folded
    from (
        select m.*, {{ fold_text('m.body') }} as folded
        from messages m
        where m.direction = 'inbound'
          and m.sender_type = 'customer'
          and m.body is not null
    ) folded_messages
    where folded <> ''
      and length(folded) <= {{ var('consent_keyword_max_chars') }}
),

-- the whole message is the pattern (an equality join)
whole_hits as (
    select c.message_id, p.pattern, p.state, p.language
    from candidates c
    join patterns p
      on p.match_kind = 'whole'
     and c.folded = p.folded_pattern
),

-- the pattern's words appear together in the message: each distinct text is compared
-- only with the phrases whose first word it contains (an equality join on words), not
-- with every phrase
texts as (
    select distinct folded from candidates
),

text_words as (
    select folded, {{ split_words('folded') }} as word
    from texts
),

phrases as (
    select *, {{ first_word('folded_pattern') }} as first_word
    from patterns
    where match_kind = 'phrase'
),

phrase_texts as (
    select distinct t.folded, p.pattern, p.state, p.language
    from text_words t
    join phrases p
      on p.first_word = t.word
     and {{ text_matches('t.folded', 'p.folded_pattern', "'phrase'") }}
),

phrase_hits as (
    select c.message_id, p.pattern, p.state, p.language
    from candidates c
    join phrase_texts p on p.folded = c.folded
),

hits as (
    select * from whole_hits
    union all
    select * from phrase_hits
),

-- one statement per message: a negation ("don't stop") cancels it, a denial beats a grant
decided as (
    select
        message_id,
        case
            when sum(case when state = 'denied' then 1 else 0 end) > 0 then 'denied'
            else 'granted'
        end as state,
        min(case when state = 'denied' then pattern end) as denied_pattern,
        min(case when state = 'granted' then pattern end) as granted_pattern,
        min(case when state = 'denied' then language end) as denied_language,
        min(case when state = 'granted' then language end) as granted_language
    from hits
    group by message_id
    having sum(case when state = 'ignore' then 1 else 0 end) = 0
),

final as (
    select
        c.message_id,
        c.contact_id,
        c.channel,
        c.source,
        c.sent_at,
        c.body,
        d.state,
        case when d.state = 'denied' then d.denied_pattern else d.granted_pattern end as matched_pattern,
        case when d.state = 'denied' then d.denied_language else d.granted_language end as language
    from decided d
    join candidates c using (message_id)
)

select * from final
