-- One row per inbox: the business's WhatsApp numbers, pages, mailboxes, web chat sites
-- and phone lines of the inboxes seed (is_configured), and the ones derived from what the
-- sources show and the seed does not name yet (int_inboxes; listed in marts.data_health),
-- with when each was seen and how many records name it.
with

inboxes as (
    select * from {{ ref('int_inboxes') }}
),

keys as (
    select * from {{ ref('int_inbox_keys') }}
),

activity as (
    select inbox_id, min(first_seen_at) as first_seen_at, max(last_seen_at) as last_seen_at, sum(records) as records
    from keys
    group by inbox_id
),

final as (
    select
        -- ids
        i.inbox_id,
        i.business_id,
        i.channel,
        i.whatsapp_phone_number_id,
        i.waba_id,
        i.chatwoot_account_id,
        i.chatwoot_inbox_id,
        i.facebook_page_id,
        i.instagram_account_id,
        i.webchat_site_id,

        -- who and where
        i.business_name,
        i.vertical,
        i.city,
        i.timezone,
        i.whatsapp_display_phone_number,
        i.email_address,
        i.phone_line,

        -- state
        i.is_configured,
        a.first_seen_at,
        a.last_seen_at,
        cast(coalesce(a.records, 0) as bigint) as records
    from inboxes i
    left join activity a using (inbox_id)
)

select * from final
