-- Every consent statement we know of, one row per statement: who, for which purpose and
-- channel, granted or denied, explicit or implied, when, from which source, and the
-- evidence (docs/consent.md). dim_consent turns them into the current state.
{% set tick_channels = var('checkout_marketing_opt_in_channels') %}
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

checkouts as (
    select * from {{ ref('stg_shopify__checkouts') }}
),

preferences as (
    select * from {{ ref('stg_whatsapp__user_preferences') }}
),

statuses as (
    select * from {{ ref('int_message_statuses') }}
),

messages as (
    select * from {{ ref('int_messages') }}
),

keyword_messages as (
    select * from {{ ref('int_consent_keyword_messages') }}
),

crm_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

forms as (
    select * from {{ ref('stg_consent__forms') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

campaign_sends as (
    select * from {{ ref('stg_senders__campaign_sends') }}
),

-- the channels a checkout's "accept marketing" tick opts into (var
-- checkout_marketing_opt_in_channels); explicit only on e-mail, what Shopify's box says
tick_channels as (
    {%- for channel in tick_channels %}
    select '{{ channel }}' as channel, {{ 'true' if channel == 'email' else 'false' }} as is_explicit
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as channel, false as is_explicit where 1 = 0
    {%- endfor %}
),

-- ticking "accept marketing" at checkout (an order, or a checkout left unfinished) is an
-- opt-in; not ticking it revokes nothing
shop_ticks as (
    select
        'shopify_order:' || o.order_id as evidence_record_id,
        o.ordered_at as occurred_at,
        {{ dbt.concat(["'accepted marketing at checkout (buyer_accepts_marketing), order '", "coalesce(o.order_name, o.order_id)"]) }} as evidence
    from orders o
    where o.accepts_marketing and not o.is_test
    union all
    select
        'shopify_checkout:' || c.checkout_id,
        c.created_at,
        {{ dbt.concat(["'accepted marketing at checkout (buyer_accepts_marketing), abandoned checkout '", "c.checkout_id"]) }}
    from checkouts c
    where c.accepts_marketing
),

shop_tick_statements as (
    select
        t.evidence_record_id,
        'marketing' as purpose,
        ch.channel,
        'granted' as state,
        ch.is_explicit,
        t.occurred_at,
        'shopify' as source,
        t.evidence
    from shop_ticks t
    cross join tick_channels ch
),

-- the customer's own per-channel consent in Shopify (customer.email_marketing_consent,
-- customer.sms_marketing_consent, customer.whatsapp_marketing_consent where a payload
-- has it, and a checkout's SMS tick): explicit on that channel
shop_channel_consents as (
    select 'shopify_order:' || order_id as evidence_record_id, coalesce(order_name, order_id) as document,
           'email' as channel, email_marketing_state as shop_state,
           coalesce(email_marketing_updated_at, ordered_at) as occurred_at
    from orders where not is_test
    union all
    select 'shopify_order:' || order_id, coalesce(order_name, order_id),
           'sms', sms_marketing_state, coalesce(sms_marketing_updated_at, ordered_at)
    from orders where not is_test
    union all
    select 'shopify_order:' || order_id, coalesce(order_name, order_id),
           'whatsapp', whatsapp_marketing_state, coalesce(whatsapp_marketing_updated_at, ordered_at)
    from orders where not is_test
    union all
    select 'shopify_checkout:' || checkout_id, 'abandoned checkout ' || checkout_id,
           'email', email_marketing_state, coalesce(email_marketing_updated_at, created_at)
    from checkouts
    union all
    select 'shopify_checkout:' || checkout_id, 'abandoned checkout ' || checkout_id,
           'sms', sms_marketing_state, coalesce(sms_marketing_updated_at, created_at)
    from checkouts
    union all
    select 'shopify_checkout:' || checkout_id, 'abandoned checkout ' || checkout_id,
           'sms', case when accepts_sms_marketing then 'subscribed' end, created_at
    from checkouts
),

shop_channel_statements as (
    select
        evidence_record_id,
        'marketing' as purpose,
        channel,
        case when shop_state = 'subscribed' then 'granted' else 'denied' end as state,
        true as is_explicit,
        occurred_at,
        'shopify' as source,
        {{ dbt.concat(["'customer.'", "channel", "'_marketing_consent = '", "shop_state", "', '", "document"]) }} as evidence
    from shop_channel_consents
    where shop_state in ('subscribed', 'unsubscribed')
),

-- the user's own stop / resume (or sign-up) of marketing messages in WhatsApp
whatsapp_preference_statements as (
    select
        'wa_pref:' || w.wa_id || ':' || cast(w.changed_at as {{ dbt.type_string() }}) as evidence_record_id,
        'marketing' as purpose,
        'whatsapp' as channel,
        case when w.preference_value = 'stop' then 'denied' else 'granted' end as state,
        true as is_explicit,
        w.changed_at as occurred_at,
        'whatsapp' as source,
        {{ dbt.concat(["'user_preferences marketing_messages = '", "w.preference_value",
                       "coalesce(" ~ dbt.concat(["' ('", "w.detail", "')'"]) ~ ", '')"]) }} as evidence
    from preferences w
    where w.category = 'marketing_messages'
      and w.preference_value in ('stop', 'resume', 'signup')
),

-- error 131050 on a send: the user stopped marketing messages from this business
refusal_statements as (
    select
        s.message_id as evidence_record_id,
        'marketing' as purpose,
        'whatsapp' as channel,
        'denied' as state,
        true as is_explicit,
        s.failed_at as occurred_at,
        'whatsapp' as source,
        'send refused with error 131050 (user stopped marketing messages)' as evidence,
        m.contact_id
    from statuses s
    join messages m on m.message_id = s.message_id
    where s.error_code = 131050
),

-- error 131050 as the synchronous answer to a campaign send (senders/run.py): no wamid,
-- so no status webhook; the send ledger is the evidence. The person is the contact of
-- the send's number now, else the one the run sent to
ledger_refusal_statements as (
    select
        {{ send_record_id('l') }} as evidence_record_id,
        'marketing' as purpose,
        'whatsapp' as channel,
        'denied' as state,
        true as is_explicit,
        l.reserved_at as occurred_at,
        'whatsapp' as source,
        {{ dbt.concat(["'campaign send refused with error 131050 (user stopped marketing messages), campaign '", "l.campaign_id"]) }} as evidence,
        coalesce(rc.contact_id, l.contact_id) as contact_id
    from campaign_sends l
    left join record_contacts rc on rc.record_id = {{ send_record_id('l') }}
    where l.ledger_status = 'failed'
      and l.error_code = 131050
      and l.message_id is null
),

-- an opt-out or opt-in keyword the customer wrote, on the channel they wrote it on
keyword_statements as (
    select
        message_id as evidence_record_id,
        'marketing' as purpose,
        channel,
        state,
        true as is_explicit,
        sent_at as occurred_at,
        'message' as source,
        {{ dbt.concat(["'\"'", "left(body, 200)", "'\" (keyword: '", "matched_pattern", "')'"]) }} as evidence,
        contact_id
    from keyword_messages
    where channel is not null
),

-- CRM properties: hs_email_optout (e-mail), whatsapp_marketing_consent (+ _date)
crm_statements as (
    select
        'hubspot_contact:' || crm_contact_id as evidence_record_id,
        'marketing' as purpose,
        'email' as channel,
        'denied' as state,
        true as is_explicit,
        coalesce(email_optout_seen_at, updated_at) as occurred_at,
        'hubspot' as source,
        'hs_email_optout = true' as evidence
    from crm_contacts
    where email_optout
    union all
    select
        'hubspot_contact:' || crm_contact_id,
        'marketing',
        'whatsapp',
        whatsapp_marketing_consent,
        true,
        coalesce(whatsapp_marketing_consent_at, whatsapp_marketing_consent_seen_at, updated_at),
        'hubspot',
        'whatsapp_marketing_consent = ' || whatsapp_marketing_consent
    from crm_contacts
    where whatsapp_marketing_consent is not null
),

-- a web form's checkbox, ticked (or unticked) by the person
form_statements as (
    select
        'consent_form:' || submission_id as evidence_record_id,
        purpose,
        channel,
        state,
        true as is_explicit,
        occurred_at,
        'form' as source,
        {{ dbt.concat(["coalesce(form_name, 'form')", "': '", "state",
                       "coalesce(" ~ dbt.concat(["' \"'", "wording", "'\"'"]) ~ ", '')"]) }} as evidence
    from forms
),

by_record as (
    select * from shop_tick_statements
    union all select * from shop_channel_statements
    union all select * from whatsapp_preference_statements
    union all select * from crm_statements
    union all select * from form_statements
),

with_contacts as (
    select b.*, rc.contact_id
    from by_record b
    left join record_contacts rc on rc.record_id = b.evidence_record_id
    union all select * from refusal_statements
    union all select * from ledger_refusal_statements
    union all select * from keyword_statements
),

-- one statement seen on several records (the same consent object on each order, a tick
-- and the e-mail consent of one order) is one row: the first record names it
ranked as (
    select
        *,
        row_number() over (
            partition by contact_id, purpose, channel, state, is_explicit, occurred_at, source
            order by evidence_record_id, evidence
        ) as copy_no
    from with_contacts
    where contact_id is not null and occurred_at is not null
),

final as (
    select
        {{ dbt.concat(["'ce_'", "substr(" ~ dbt.hash(dbt.concat([
            "source", "'|'", "evidence_record_id", "'|'", "purpose", "'|'", "channel", "'|'",
            "state", "'|'", "cast(occurred_at as " ~ dbt.type_string() ~ ")"])) ~ ", 1, 16)"]) }} as consent_event_id,
        contact_id,
        purpose,
        channel,
        state,
        is_explicit,
        occurred_at,
        source,
        evidence_record_id,
        evidence
    from ranked
    where copy_no = 1
)

select * from final
