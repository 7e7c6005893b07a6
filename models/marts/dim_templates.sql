-- One row per WhatsApp template (name, language) seen in template webhooks: its status,
-- quality and category now, and whether it may be sent. A category Meta changed
-- pauses sending until a row of the template_confirmations seed confirms the new
-- category at or after the change (docs/templates.md).
with

events as (
    select * from {{ ref('stg_whatsapp__template_events') }}
),

confirmations as (
    select * from {{ ref('template_confirmations') }}
),

-- the newest event of each kind wins; payload breaks ties of one second
ranked as (
    select
        *,
        row_number() over (
            partition by template_name, template_language
            order by occurred_at desc, payload desc
        ) as recency,
        row_number() over (
            partition by template_name, template_language, event_type
            order by occurred_at desc, payload desc
        ) as recency_in_type
    from events
),

last_event as (
    select
        template_name,
        template_language,
        template_id,
        waba_id,
        event_type as last_event_type,
        occurred_at as last_event_at
    from ranked
    where recency = 1
),

last_status as (
    select
        template_name,
        template_language,
        -- a reinstated or unlocked template is approved again
        case when status in ('REINSTATED', 'UNLOCKED') then 'APPROVED' else status end as status,
        reason as status_reason,
        occurred_at as status_at
    from ranked
    where event_type = 'status' and recency_in_type = 1
),

last_quality as (
    select
        template_name,
        template_language,
        quality_score,
        occurred_at as quality_at
    from ranked
    where event_type = 'quality' and recency_in_type = 1
),

-- the categories the events state, oldest first (an impending-change notice states
-- the category still in force)
stated_categories as (
    select
        template_name,
        template_language,
        event_type,
        is_upcoming_change_notice,
        category,
        previous_category,
        occurred_at,
        payload,
        lag(category) over (
            partition by template_name, template_language
            order by occurred_at, payload
        ) as category_before,
        row_number() over (
            partition by template_name, template_language
            order by occurred_at desc, payload desc
        ) as recency
    from events
    where category is not null
),

current_category as (
    select template_name, template_language, category
    from stated_categories
    where recency = 1
),

-- a template_category_update is sent when Meta changes the category: a change unless
-- it names the same category on both sides
category_changes as (
    select
        template_name,
        template_language,
        coalesce(previous_category, category_before) as changed_from,
        occurred_at,
        row_number() over (
            partition by template_name, template_language
            order by occurred_at desc, payload desc
        ) as recency
    from stated_categories
    where
        event_type = 'category'
        and not is_upcoming_change_notice
        and coalesce(previous_category, category_before, '') <> category
),

last_change as (
    select
        template_name,
        template_language,
        changed_from as previous_category,
        occurred_at as category_changed_at
    from category_changes
    where recency = 1
),

upcoming as (
    select
        template_name,
        template_language,
        upcoming_category,
        upcoming_category_at,
        occurred_at as noticed_at
    from ranked
    where is_upcoming_change_notice and recency_in_type = 1
),

templates as (
    select
        template_name,
        template_language,
        last_event.template_id,
        last_event.waba_id,
        current_category.category,
        last_change.previous_category,
        last_change.category_changed_at,
        case
            when upcoming.noticed_at >= coalesce(last_change.category_changed_at, upcoming.noticed_at)
                then upcoming.upcoming_category
        end as upcoming_category,
        case
            when upcoming.noticed_at >= coalesce(last_change.category_changed_at, upcoming.noticed_at)
                then upcoming.upcoming_category_at
        end as upcoming_category_at,
        last_status.status,
        last_status.status_reason,
        last_status.status_at,
        last_quality.quality_score,
        last_quality.quality_at,
        last_event.last_event_type,
        last_event.last_event_at
    from last_event
    left join current_category using (template_name, template_language)
    left join last_change using (template_name, template_language)
    left join upcoming using (template_name, template_language)
    left join last_status using (template_name, template_language)
    left join last_quality using (template_name, template_language)
),

-- the newest confirmation of the current category made at or after the change
confirmed as (
    select
        templates.template_name,
        templates.template_language,
        confirmations.confirmed_by,
        confirmations.confirmed_at,
        row_number() over (
            partition by templates.template_name, templates.template_language
            order by confirmations.confirmed_at desc
        ) as recency
    from templates
    inner join confirmations
        on confirmations.template_name = templates.template_name
        and confirmations.language = templates.template_language
        and upper(confirmations.confirmed_category) = templates.category
        and confirmations.confirmed_at >= templates.category_changed_at
),

final as (
    select
        templates.*,
        confirmed.confirmed_by as category_confirmed_by,
        confirmed.confirmed_at as category_confirmed_at,
        case
            when templates.status is not null and templates.status <> 'APPROVED'
                then {{ dbt.concat(["'status_'", "lower(templates.status)"]) }}
            when templates.category_changed_at is not null and confirmed.confirmed_at is null
                then 'category_changed'
        end as paused_reason
    from templates
    left join confirmed
        on confirmed.template_name = templates.template_name
        and confirmed.template_language = templates.template_language
        and confirmed.recency = 1
)

select
    *,
    paused_reason is null as sendable
from final
