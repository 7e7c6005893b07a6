-- The lifecycle stage of every contact (the contacts of marts.dim_contacts), with the
-- facts behind it and the reason in words. The rules and their precedence are written
-- out in int_contact_lifecycle.yml; the keyword lists and thresholds are vars
-- (dbt_project.yml, "lifecycle stage").
{%- set membership_keywords = var('lifecycle_membership_keywords') %}
{%- set trial_keywords = var('lifecycle_trial_keywords') %}

with

identifiers as (
    select i.contact_id
    from {{ ref('int_contact_ids') }} i
    join {{ ref('int_identity_components') }} c using (node)
),

orders as (
    {{ segment_orders() }}
),

messages as (
    select * from {{ ref('fct_messages') }}
    where direction = 'inbound' and sender_type = 'customer' and contact_id is not null
      and sent_at <= {{ as_of() }}
),

conversations as (
    select * from {{ ref('fct_conversations') }}
    where contact_id is not null and labels is not null and opened_at <= {{ as_of() }}
),

appointments as (
    select * from {{ ref('stg_calendar__appointments') }}
),

checkouts as (
    select * from {{ ref('stg_shopify__checkouts') }}
),

deal_versions as (
    select * from {{ ref('stg_hubspot__deal_versions') }}
),

crm_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

contacts as (
    select distinct contact_id from identifiers
),

-- non-cancelled shop orders
order_facts as (
    select
        contact_id,
        count(*) as orders_count,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from orders
    group by contact_id
),

inbound_facts as (
    select contact_id, max(sent_at) as last_inbound_at
    from messages
    group by contact_id
),

-- a calendar entry is a free trial (a trial class, a placement test, an open day) when
-- its title says so; any other one is a paid appointment
appointment_rows as (
    select
        rc.contact_id,
        a.starts_at,
        a.summary,
        {{ keyword_match('a.summary', trial_keywords) }} as is_trial
    from appointments a
    join record_contacts rc on rc.record_id = 'appointment:' || a.appointment_id
    where a.status <> 'CANCELLED' and a.starts_at is not null
),

appointment_facts as (
    select
        contact_id,
        sum(case when is_trial or starts_at > {{ as_of() }} then 1 else 0 end) as prospect_appointments_count,
        sum(case when not is_trial and starts_at <= {{ as_of() }} then 1 else 0 end) as attended_appointments_count,
        max(case when not is_trial and starts_at <= {{ as_of() }} then starts_at end) as last_attended_at
    from appointment_rows
    group by contact_id
),

abandoned_checkouts as (
    select rc.contact_id, count(*) as abandoned_checkouts_count
    from checkouts c
    join record_contacts rc on rc.record_id = 'shopify_checkout:' || c.checkout_id
    where c.completed_at is null
    group by rc.contact_id
),

-- each deal's latest version, on the contact of its CRM contact
deal_ranked as (
    select
        d.*,
        row_number() over (partition by d.deal_id order by d.updated_at desc, d.deal_stage) as version_rank
    from deal_versions d
),

deals as (
    select
        rc.contact_id,
        d.deal_id,
        d.deal_name,
        d.deal_stage,
        coalesce(d.close_date, d.updated_at) as closed_at
    from deal_ranked d
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || d.crm_contact_id
    where d.version_rank = 1 and not d.is_archived
),

deal_facts as (
    select
        contact_id,
        sum(case when deal_stage not in ('closedwon', 'closedlost') then 1 else 0 end) as open_deals_count,
        sum(case when deal_stage = 'closedwon' then 1 else 0 end) as won_deals_count,
        max(case when deal_stage = 'closedwon' then closed_at end) as last_won_at
    from deals
    group by contact_id
),

-- the CRM's own lifecycle stage (the most advanced one when the person has two records)
crm_facts as (
    select
        rc.contact_id,
        max(case when lower(c.lifecycle_stage) in ('customer', 'evangelist') then 1 else 0 end) = 1 as crm_says_customer,
        max(case when lower(c.lifecycle_stage) in ('opportunity', 'salesqualifiedlead') then 1 else 0 end) = 1 as crm_says_prospect
    from crm_contacts c
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || c.crm_contact_id
    where not c.is_archived
    group by rc.contact_id
),

-- evidence of a membership or an enrolment, each with its time: a conversation the inbox
-- labelled as a member's/student's, a won deal, an order or a (non-trial) appointment
-- whose name says membership/enrolment
membership_evidence as (
    select contact_id, opened_at as evidence_at
    from conversations
    where {{ label_match('labels', var('lifecycle_membership_labels')) }}
    union all
    select contact_id, closed_at
    from deals
    where deal_stage = 'closedwon' and {{ keyword_match('deal_name', membership_keywords) }}
    union all
    select contact_id, ordered_at
    from orders
    where {{ keyword_match('first_product_title', membership_keywords) }}
    union all
    select contact_id, starts_at
    from appointment_rows
    where not is_trial and starts_at <= {{ as_of() }} and {{ keyword_match('summary', membership_keywords) }}
),

membership_facts as (
    select contact_id, max(evidence_at) as last_membership_at
    from membership_evidence
    where evidence_at <= {{ as_of() }}  -- a won deal's close date can lie ahead
    group by contact_id
),

-- the inbox's operators tagged the person as a former member / student
alumni_facts as (
    select contact_id, max(opened_at) as last_alumni_label_at
    from conversations
    where {{ label_match('labels', var('lifecycle_alumni_labels')) }}
    group by contact_id
),

facts as (
    select
        c.contact_id,
        coalesce(o.orders_count, 0) as orders_count,
        o.first_order_at,
        o.last_order_at,
        i.last_inbound_at,
        coalesce(d.open_deals_count, 0) as open_deals_count,
        coalesce(d.won_deals_count, 0) as won_deals_count,
        coalesce(a.prospect_appointments_count, 0) as prospect_appointments_count,
        coalesce(a.attended_appointments_count, 0) as attended_appointments_count,
        coalesce(k.abandoned_checkouts_count, 0) as abandoned_checkouts_count,
        coalesce(r.crm_says_customer, false) as crm_says_customer,
        coalesce(r.crm_says_prospect, false) as crm_says_prospect,
        m.last_membership_at,
        l.last_alumni_label_at,
        -- the latest sign of life of a customer: an order, a message they wrote, an
        -- attended appointment, a won deal
        nullif(greatest(
            coalesce(o.last_order_at, cast('1970-01-01' as timestamp)),
            coalesce(i.last_inbound_at, cast('1970-01-01' as timestamp)),
            coalesce(a.last_attended_at, cast('1970-01-01' as timestamp)),
            coalesce(d.last_won_at, cast('1970-01-01' as timestamp))
        ), cast('1970-01-01' as timestamp)) as last_active_at
    from contacts c
    left join order_facts o using (contact_id)
    left join inbound_facts i using (contact_id)
    left join deal_facts d using (contact_id)
    left join appointment_facts a using (contact_id)
    left join abandoned_checkouts k using (contact_id)
    left join crm_facts r using (contact_id)
    left join membership_facts m using (contact_id)
    left join alumni_facts l using (contact_id)
),

flagged as (
    select
        *,
        cast(floor({{ seconds_between('last_active_at', as_of()) }} / 86400) as integer) as days_since_last_active,
        cast(floor({{ seconds_between('last_membership_at', as_of()) }} / 86400) as integer) as days_since_membership,
        (
            last_membership_at is not null
            and last_membership_at > {{ dbt.dateadd('day', -1 * var('membership_active_days'), as_of()) }}
            and (last_alumni_label_at is null or last_alumni_label_at < last_membership_at)
        ) as is_member,
        (orders_count >= 1 or won_deals_count >= 1 or attended_appointments_count >= 1 or crm_says_customer) as is_customer,
        (open_deals_count >= 1 or prospect_appointments_count >= 1 or abandoned_checkouts_count >= 1 or crm_says_prospect) as is_prospect
    from facts
),

staged as (
    select
        *,
        case
            when is_member then 'subscriber'
            when last_membership_at is not null or last_alumni_label_at is not null then 'alumnus'
            when is_customer and days_since_last_active >= {{ var('dormant_after_days') }} then 'dormant'
            when orders_count >= 2 then 'repeat_customer'
            when is_customer then 'customer'
            when is_prospect then 'prospect'
            else 'lead'
        end as lifecycle_stage
    from flagged
),

final as (
    select
        contact_id,
        lifecycle_stage,
        case lifecycle_stage
            when 'subscriber' then 'membership/enrolment seen ' || cast(days_since_membership as {{ dbt.type_string() }})
                || ' days ago (active for {{ var("membership_active_days") }})'
            when 'alumnus' then
                case when last_alumni_label_at is not null and (last_membership_at is null or last_alumni_label_at >= last_membership_at)
                     then 'labelled as a former member/student'
                     else 'last membership/enrolment ' || cast(days_since_membership as {{ dbt.type_string() }})
                          || ' days ago (over {{ var("membership_active_days") }})'
                end
            when 'dormant' then 'customer with no order, message or visit for '
                || cast(days_since_last_active as {{ dbt.type_string() }}) || ' days'
            when 'repeat_customer' then cast(orders_count as {{ dbt.type_string() }}) || ' orders'
            when 'customer' then
                case when orders_count = 1 then '1 order'
                     when won_deals_count >= 1 then 'won deal'
                     when attended_appointments_count >= 1 then 'attended appointment'
                     else 'CRM lifecycle stage customer'
                end
            when 'prospect' then
                case when open_deals_count >= 1 then 'open deal'
                     when prospect_appointments_count >= 1 then 'trial or upcoming appointment'
                     when abandoned_checkouts_count >= 1 then 'abandoned checkout'
                     else 'CRM lifecycle stage opportunity'
                end
            else 'conversations or enquiries only'
        end as stage_reason,
        cast(orders_count as bigint) as orders_count,
        first_order_at,
        last_order_at,
        last_inbound_at,
        last_active_at,
        days_since_last_active,
        cast(open_deals_count as bigint) as open_deals_count,
        cast(won_deals_count as bigint) as won_deals_count,
        cast(prospect_appointments_count as bigint) as prospect_appointments_count,
        cast(attended_appointments_count as bigint) as attended_appointments_count,
        cast(abandoned_checkouts_count as bigint) as abandoned_checkouts_count,
        crm_says_customer,
        crm_says_prospect,
        last_membership_at,
        last_alumni_label_at
    from staged
)

select * from final
