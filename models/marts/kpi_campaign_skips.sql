-- Skipped audience members per campaign, run, variant (the holdout as variant
-- 'holdout', like kpi_campaign_funnel) and skip reason: the long companion of the
-- funnel's `skipped`, so a new reason of the senders needs no new column.
with

sends as (select * from {{ ref('fct_campaign_sends') }}),

skipped as (
    select
        campaign_id,
        run_id,
        case when coalesce(is_holdout, false) then 'holdout' else variant end as variant,
        skip_reason
    from sends
    where final_status = 'skipped'
),

final as (
    select campaign_id, run_id, variant, skip_reason, count(*) as members
    from skipped
    group by campaign_id, run_id, variant, skip_reason
)

select * from final
