-- Every change of a contact's marketing consent we know of, from any source.
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

preferences as (
    select * from {{ ref('stg_whatsapp__user_preferences') }}
),

messages as (
    select * from {{ ref('int_messages') }}
),

statuses as (
    select * from {{ ref('int_message_statuses') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

-- ticking "accept marketing" at checkout is an opt-in; not ticking it revokes nothing
shop_opt_ins as (
    select
        rc.contact_id,
        o.ordered_at as occurred_at,
        true as marketing_consent,
        'shopify' as source,
        'accepted marketing at checkout, order ' || o.order_name as detail
    from orders o
    left join record_contacts rc on rc.record_id = 'shopify_order:' || o.order_id
    where o.accepts_marketing
),

-- the user's own stop / resume in WhatsApp
whatsapp_preferences as (
    select
        rc.contact_id,
        w.changed_at as occurred_at,
        w.preference_value = 'resume' as marketing_consent,
        'whatsapp' as source,
        coalesce(w.detail, 'marketing messages ' || w.preference_value) as detail
    from preferences w
    left join record_contacts rc on rc.record_id = 'wa_pref:' || w.wa_id || ':' || cast(w.changed_at as varchar)
    where w.category = 'marketing_messages'
      and w.preference_value in ('stop', 'resume')
),

-- error 131050: the user stopped marketing messages from this business
campaign_refusals as (
    select
        m.contact_id,
        s.failed_at as occurred_at,
        false as marketing_consent,
        'whatsapp' as source,
        'send refused with error 131050 (user stopped marketing messages)' as detail
    from statuses s
    join messages m using (message_id)
    where s.error_code = 131050
),

unioned as (
    select * from shop_opt_ins
    union all select * from whatsapp_preferences
    union all select * from campaign_refusals
)

select distinct * from unioned
where contact_id is not null and occurred_at is not null
