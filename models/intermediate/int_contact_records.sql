-- Every record that tells us something about a person (a message, an order, a CRM or
-- inbox contact), attached to its contact (int_record_contacts), with the name it gives.
-- name_priority ranks names by how deliberately they were written: the CRM's, then an
-- order's, then the shared inbox's contact, then a messaging profile name.
with

messages as (
    select * from {{ ref('int_messages') }}
),

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

crm_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

inbox_contacts as (
    select * from {{ ref('stg_chatwoot__contacts') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

from_messages as (
    select
        'message:' || message_id as record_id,
        contact_id,
        case when direction = 'inbound' or source = 'chatwoot' then display_name end as display_name,
        cast(null as varchar) as first_name,
        sent_at as seen_at,
        'message' as record_type,
        4 as name_priority
    from messages
),

from_orders as (
    select
        rc.record_id,
        rc.contact_id,
        nullif(trim(coalesce(o.first_name, '') || ' ' || coalesce(o.last_name, '')), '') as display_name,
        o.first_name,
        o.ordered_at as seen_at,
        'order' as record_type,
        2 as name_priority
    from orders o
    join record_contacts rc on rc.record_id = 'shopify_order:' || o.order_id
    where not o.is_test
),

from_crm as (
    select
        rc.record_id,
        rc.contact_id,
        nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), '') as display_name,
        nullif(trim(c.first_name), '') as first_name,
        c.created_at as seen_at,
        'crm_contact' as record_type,
        1 as name_priority
    from crm_contacts c
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || c.crm_contact_id
),

from_inbox_contacts as (
    select
        rc.record_id,
        rc.contact_id,
        nullif(trim(c.contact_name), '') as display_name,
        cast(null as varchar) as first_name,
        c.updated_at as seen_at,
        'inbox_contact' as record_type,
        3 as name_priority
    from inbox_contacts c
    join record_contacts rc
      on rc.record_id = {{ chatwoot_contact_record_id('c.chatwoot_account_id', 'c.chatwoot_contact_id', 'c.updated_at') }}
),

unioned as (
    select * from from_messages
    union all select * from from_orders
    union all select * from from_crm
    union all select * from from_inbox_contacts
)

select * from unioned where contact_id is not null
