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

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

-- ticking "accept marketing" at checkout is an opt-in; not ticking it revokes nothing
shop_opt_ins as (
    select
        {{ contact_of_phone_or_email('p.phone_e164', 'o.email') }} as contact_id,
        o.ordered_at as occurred_at,
        true as marketing_consent,
        'shopify' as source,
        'accepted marketing at checkout, order ' || o.order_name as detail
    from orders o
    left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where o.accepts_marketing
),

-- the user's own stop / resume in WhatsApp
whatsapp_preferences as (
    select
        {{ contact_of(phone_node('p.phone_e164')) }} as contact_id,
        w.changed_at as occurred_at,
        w.preference_value = 'resume' as marketing_consent,
        'whatsapp' as source,
        coalesce(w.detail, 'marketing messages ' || w.preference_value) as detail
    from preferences w
    left join phones p on p.kind = 'wa_id' and p.raw_value = w.wa_id
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
