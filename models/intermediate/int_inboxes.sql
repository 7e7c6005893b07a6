-- Every inbox: the seed's (is_configured) and the ones derived from a WhatsApp number,
-- page, mailbox, web chat site, phone line or import channel that sources show and the
-- seed does not name (int_inbox_keys). A derived inbox uses the default business hours
-- and the default time zone (var default_timezone) until it is added to the seed.
with

inboxes as (select * from {{ ref('inboxes') }}),
keys as (select * from {{ ref('int_inbox_keys') }}),

configured as (
    select
        inbox_id, business_id, business_name, vertical, city, channel,
        whatsapp_phone_number_id, whatsapp_display_phone_number, waba_id,
        chatwoot_account_id, chatwoot_inbox_id, timezone,
        facebook_page_id, instagram_account_id, email_address, webchat_site_id, phone_line,
        true as is_configured
    from inboxes
),

derived as (
    select
        inbox_id,
        cast(null as varchar) as business_id,
        cast(null as varchar) as business_name,
        cast(null as varchar) as vertical,
        cast(null as varchar) as city,
        max(channel) as channel,
        max(case when key_kind = 'whatsapp_phone_number_id' then key_value end) as whatsapp_phone_number_id,
        max(display_phone_number) as whatsapp_display_phone_number,
        cast(null as varchar) as waba_id,
        cast(null as varchar) as chatwoot_account_id,
        max(case when key_kind = 'chatwoot_inbox_id' then key_value end) as chatwoot_inbox_id,
        '{{ var("default_timezone") }}' as timezone,
        max(case when key_kind = 'facebook_page_id' then key_value end) as facebook_page_id,
        max(case when key_kind = 'instagram_account_id' then key_value end) as instagram_account_id,
        max(case when key_kind = 'email_address' then key_value end) as email_address,
        max(case when key_kind = 'webchat_site_id' then key_value end) as webchat_site_id,
        max(case when key_kind = 'phone_line' then key_value end) as phone_line,
        false as is_configured
    from keys
    where not is_configured
      and inbox_id not in (select inbox_id from inboxes)
    group by inbox_id
)

select * from configured
union all
select * from derived
