-- The delivery history of each outbound WhatsApp message, rolled up. Status only moves
-- forward (sent -> delivered -> read -> played) and failed is terminal, whatever order
-- the webhooks arrived in.
with

statuses as (
    select * from {{ ref('stg_whatsapp__statuses') }}
),

rolled_up as (
    select
        message_id,
        -- the number the message went to (its wa_id: international digits, no plus)
        max(recipient_wa_id) as recipient_wa_id,
        max_by(status, status_rank) as status,
        min(case when status = 'sent' then status_at end) as sent_status_at,
        -- "if delivered and read happen together, no delivered webhook is sent"
        min(case when status in ('delivered', 'read', 'played') then status_at end) as delivered_at,
        min(case when status in ('read', 'played') then status_at end) as read_at,
        min(case when status = 'failed' then status_at end) as failed_at,
        max_by(error_code, case when status = 'failed' then status_at end) as error_code,
        max_by(error_detail, case when status = 'failed' then status_at end) as error_detail,
        max(pricing_category) as pricing_category,
        max(pricing_type) as pricing_type,
        max(pricing_model) as pricing_model,
        -- PMP era: charged when type is 'regular'; CBP era: the billable flag
        bool_or(coalesce(pricing_type = 'regular', pricing_billable, false)) as is_billable
    from statuses
    group by message_id
)

select * from rolled_up
