-- What in the user's data Threadline could not use as it is, one row per finding, each
-- saying what to do: records that could not be read, webhook errors Meta reported,
-- inboxes the seed does not name, identifiers that look shared, phone numbers that are
-- not numbers, and records that reached no person.
with

rejected as (select * from {{ ref('stg_ingest__rejected_records') }}),
webhook_errors as (select * from {{ ref('fct_webhook_errors') }}),
inbox_keys as (select * from {{ ref('int_inbox_keys') }}),
inboxes as (select * from {{ ref('int_inboxes') }}),
shared_identifiers as (select * from {{ ref('suspected_shared_identifiers') }}),
phones as (select * from {{ ref('stg_phone_numbers') }}),
messages as (select * from {{ ref('fct_messages') }}),
orders as (select * from {{ ref('fct_orders') }}),

rejected_records as (
    select
        'rejected_records' as check_name,
        'error' as severity,
        source,
        source || ': ' || reason as subject,
        'Lines or files that could not be read (raw.rejected_records has them whole, with file and line); '
            || 'the rest of each file loaded. Fix the export and land it again.' as detail,
        count(*) as records,
        min(rejected_at) as first_seen_at,
        max(rejected_at) as last_seen_at
    from rejected
    group by source, reason
),

webhook_error_rows as (
    select
        'webhook_error',
        'error',
        'whatsapp',
        coalesce(inbox_id, 'phone_number_id ' || phone_number_id, 'WABA ' || waba_id, 'unknown number')
            || ': ' || coalesce(cast(error_code as varchar), '?') || ' ' || coalesce(error_title, ''),
        'Meta reported an error for a whole webhook change: '
            || coalesce(error_message, error_title, 'no message') || coalesce(' (' || error_details || ')', ''),
        sum(deliveries),
        min(occurred_at),
        max(last_occurred_at)
    from webhook_errors
    group by inbox_id, phone_number_id, waba_id, error_code, error_title, error_message, error_details
),

unconfigured_inboxes as (
    select
        'unconfigured_inbox',
        'warning',
        i.channel,
        i.inbox_id,
        'Messages arrive from a ' || coalesce(i.channel, 'shared inbox') || ' inbox that models/seeds/inboxes.csv does not name'
            || coalesce(' (display number ' || i.whatsapp_display_phone_number || ')', '')
            || ': it is kept as its own inbox, with the default business hours and time zone. '
            || 'Add it to the seed to give it its business, hours and time zone.',
        sum(k.records),
        min(k.first_seen_at),
        max(k.last_seen_at)
    from inboxes i
    join inbox_keys k using (inbox_id)
    where not i.is_configured
    group by i.channel, i.inbox_id, i.whatsapp_display_phone_number
),

shared_identifier_rows as (
    select
        'suspected_shared_identifier',
        'warning',
        identifier_kind,
        node,
        'Links nobody: ' || reason || '. If it is one person''s, add it to the identity_overrides seed as '
            || '`personal`; if it is shared, as `shared`.',
        records,
        first_seen_at,
        last_seen_at
    from shared_identifiers
    where not is_confirmed_shared
),

invalid_phones as (
    select
        'invalid_phone_number',
        'warning',
        kind,
        raw_value,
        'Not a valid phone number (and not one WhatsApp delivered from): left out of identity resolution.',
        cast(1 as bigint),
        cast(null as timestamp),
        cast(null as timestamp)
    from phones
    where phone_e164 is null
),

without_contact as (
    select
        'record_without_contact',
        'warning',
        source,
        'marts.fct_messages',
        'Messages that show no identifier of a person (no phone, e-mail or account).',
        count(*),
        min(sent_at),
        max(sent_at)
    from messages
    where contact_id is null
    group by source
    union all
    select
        'record_without_contact',
        'warning',
        'shopify',
        'marts.fct_orders',
        'Orders that show no identifier of a person (no customer id, e-mail or phone).',
        count(*),
        min(ordered_at),
        max(ordered_at)
    from orders
    where contact_id is null
    having count(*) > 0
),

unioned as (
    select * from rejected_records
    union all select * from webhook_error_rows
    union all select * from unconfigured_inboxes
    union all select * from shared_identifier_rows
    union all select * from invalid_phones
    union all select * from without_contact
),

final as (
    select
        check_name, severity, source, subject, detail,
        cast(records as bigint) as records,
        first_seen_at, last_seen_at
    from unioned
)

select * from final
