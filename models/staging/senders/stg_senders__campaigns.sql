-- The campaign definitions (senders/campaigns/*.yaml): one row per campaign, with the goal
-- its results are measured by and the uplift method its report states.
{% set attribution_days = var('attribution_window_days') %}
with

source as (
    select * from {{ source('raw', 'campaigns') }}
),

renamed as (
    select
        -- ids
        cast(campaign_id as varchar) as campaign_id,
        cast(segment as varchar) as segment,
        cast(inbox_id as varchar) as inbox_id,
        cast(template_name as varchar) as template_name,
        cast(template_language as varchar) as template_language,
        cast(source_file as varchar) as source_file,
        cast(content_sha256 as varchar) as content_sha256,

        -- what the file says
        cast(description as varchar) as description,
        cast(holdout_percent as double) as holdout_percent,
        cast(variants as varchar) as variants_json,
        cast(config as varchar) as config_json,

        -- how results are measured (the YAML's goal and uplift; defaults filled)
        coalesce(cast(goal_type as varchar), 'order') as goal_type,
        coalesce(cast(goal_within_days as integer), {{ attribution_days }}) as goal_within_days,
        goal_within_days is null as is_default_window,
        coalesce(cast(uplift_method as varchar), 'newcombe_wilson') as uplift_method,
        coalesce(cast(uplift_confidence as double), 0.95) as uplift_confidence,

        -- timestamps
        ingested_at
    from source
)

select * from renamed
