{{ config(meta={"dagster": {"ref": {"name": "int_contact_records"}}}) }}
-- The grain of int_contact_records: one row per record that reached a contact (a
-- message of int_messages, a Shopify order that is not a test, a HubSpot contact, a
-- shared-inbox contact version). The model does not select the record's id, so no unique
-- key can be tested; instead each record_type must have exactly as many rows as there are
-- such records with a contact (int_record_contacts is unique by record_id, so these
-- counts cannot fan out). Returns the record types whose counts differ.
with

actual as (
    select record_type, count(*) as model_rows
    from {{ ref('int_contact_records') }}
    group by record_type
),

record_contacts as (
    select record_id from {{ ref('int_record_contacts') }} where contact_id is not null
),

expected as (
    select 'message' as record_type, count(*) as source_records
    from {{ ref('int_messages') }}
    where contact_id is not null
    union all
    select 'order', count(*)
    from {{ ref('stg_shopify__orders') }} o
    join record_contacts rc on rc.record_id = 'shopify_order:' || o.order_id
    where not o.is_test
    union all
    select 'crm_contact', count(*)
    from {{ ref('stg_hubspot__contacts') }} c
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || c.crm_contact_id
    union all
    select 'inbox_contact', count(*)
    from {{ ref('stg_chatwoot__contacts') }} c
    join record_contacts rc
      on rc.record_id = {{ chatwoot_contact_record_id('c.chatwoot_account_id', 'c.chatwoot_contact_id', 'c.updated_at') }}
)

select
    coalesce(a.record_type, e.record_type) as record_type,
    coalesce(a.model_rows, 0) as model_rows,
    coalesce(e.source_records, 0) as source_records
from actual a
full outer join expected e on e.record_type = a.record_type
where coalesce(a.model_rows, 0) <> coalesce(e.source_records, 0)
