-- Every record that tells us something about a person (a message, an order), with the
-- identifiers it shows. Identity is by phone number for now (e-mail when there is none).
with

messages as (
    select * from {{ ref('int_messages') }}
),

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

from_messages as (
    select
        contact_id,
        phone_e164,
        email,
        case when direction = 'inbound' or source = 'chatwoot' then display_name end as display_name,
        cast(null as varchar) as first_name,
        sent_at as seen_at,
        'message' as record_type
    from messages
),

from_orders as (
    select
        {{ contact_of_phone_or_email('p.phone_e164', 'o.email') }} as contact_id,
        p.phone_e164,
        o.email,
        nullif(trim(coalesce(o.first_name, '') || ' ' || coalesce(o.last_name, '')), '') as display_name,
        o.first_name,
        o.ordered_at as seen_at,
        'order' as record_type
    from orders o
    left join phones p on p.kind = 'typed' and p.raw_value = o.phone_raw
    where not o.is_test
)

select * from from_messages where contact_id is not null
union all
select * from from_orders where contact_id is not null
