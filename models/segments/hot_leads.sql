-- Contacts who came from a click-to-WhatsApp ad within the last
-- var('attribution_window_days') (7) days, asked something specific (an enquiry of seed
-- enquiry_keywords, or a question with a number, a price or a date; never the ad's
-- prefilled text, seed ctwa_prefilled_messages) and have not converted since; marketing
-- consent on WhatsApp granted. Rules: hot_leads.yml.
{% set window_days = var('attribution_window_days') %}
with

messages as (
    select * from {{ ref('fct_messages') }}
    where contact_id is not null and sent_at <= {{ as_of() }}
),

-- the referral's type and headline, which fct_messages does not carry
referrals as (
    select message_id, referral_source_type, referral_headline
    from {{ ref('stg_whatsapp__messages') }}
    where referral_source_id is not null or ctwa_clid is not null
),

inboxes as (
    select inbox_id, business_id from {{ ref('dim_inboxes') }}
),

keywords as (
    select {{ fold_text('pattern', keep='%') }} as pattern, topic
    from {{ ref('enquiry_keywords') }}
),

prefilled as (
    select distinct {{ fold_text('message', keep='%') }} as folded
    from {{ ref('ctwa_prefilled_messages') }}
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

inbound as (
    select m.*, i.business_id
    from messages m
    join inboxes i on i.inbox_id = m.inbox_id
    where m.direction = 'inbound'
),

-- taps on an ad (a referral of type ad, or one with a click id: ads shown in Status
-- carry none; a referral from a post is not an ad)
ad_clicks as (
    select
        m.message_id, m.contact_id, m.inbox_id, m.business_id, m.sent_at,
        m.referral_source_id, r.referral_headline,
        row_number() over (partition by m.contact_id order by m.sent_at desc, m.message_id desc) as click_rank
    from inbound m
    left join referrals r on r.message_id = m.message_id
    where m.ctwa_clid is not null or r.referral_source_type = 'ad'
),

-- each contact's latest ad click, when its attribution window is still open
leads as (
    select
        contact_id,
        referral_source_id as ad_source_id,
        referral_headline as ad_headline,
        sent_at as lead_at,
        inbox_id,
        business_id
    from ad_clicks
    where click_rank = 1
      and sent_at > {{ dbt.dateadd('day', -window_days, as_of()) }}
),

-- what the lead wrote to the business since the click
lead_texts as (
    select
        m.message_id, m.contact_id, m.sent_at, m.body,
        {{ fold_text('m.body', keep='%') }} as folded,
        (m.body like '%?%' or m.body like '%¿%') as is_question,
        (
            {{ regexp_found('m.body', '[0-9]') }}
            or m.body like '%€%' or m.body like '%$%' or m.body like '%£%'
        ) as has_figure,
        l.ad_headline
    from leads l
    join inbound m
      on m.contact_id = l.contact_id
     and m.business_id = l.business_id
     and m.sent_at >= l.lead_at
    where m.body is not null
),

-- the ad's prefilled text sent as it is (or its headline) asks nothing
unprompted as (
    select t.*
    from lead_texts t
    left join prefilled p on p.folded = t.folded
    where p.folded is null
      and (t.ad_headline is null or t.folded <> {{ fold_text('t.ad_headline', keep='%') }})
),

keyword_hits as (
    select
        t.message_id,
        max(case when k.topic <> 'detail' then 1 else 0 end) as has_enquiry,
        max(case when k.topic = 'detail' then 1 else 0 end) as has_detail
    from unprompted t
    join keywords k on {{ contains_words('t.folded', 'k.pattern') }}
    group by t.message_id
),

-- specific: an enquiry, or a question with a figure (number, price) or a detail word
-- (a day, "domani", a size, a colour, a model)
specific as (
    select
        t.*,
        row_number() over (partition by t.contact_id order by t.sent_at, t.message_id) as question_rank
    from unprompted t
    left join keyword_hits h on h.message_id = t.message_id
    where coalesce(h.has_enquiry, 0) = 1
       or (t.is_question and (t.has_figure or coalesce(h.has_detail, 0) = 1))
),

converted as (
    select distinct l.contact_id
    from leads l
    join goals g on g.contact_id = l.contact_id and {{ enquiry_goal_after('g', 'l.lead_at') }}
),

final as (
    select
        l.contact_id,
        c.first_name,
        l.ad_source_id,
        l.ad_headline,
        l.lead_at,
        substring(q.body, 1, 200) as question,
        q.message_id as question_message_id,
        q.sent_at as asked_at,
        cast(floor({{ seconds_between('l.lead_at', as_of()) }} / 86400) as integer) as days_since_lead,
        l.inbox_id,
        l.business_id
    from leads l
    join specific q on q.contact_id = l.contact_id and q.question_rank = 1
    join contacts c on c.contact_id = l.contact_id
    join consented s on s.contact_id = l.contact_id
    left join converted v on v.contact_id = l.contact_id
    where v.contact_id is null
)

select * from final
