-- Campaign results per campaign, run and variant, the run's holdout as a row of its own
-- (variant 'holdout'): the funnel (audience → sent → delivered → read → replied →
-- converted), the conversion rate to the campaign's goal, each variant's uplift over the
-- holdout (difference of conversion rates) with the interval of the campaign's uplift
-- method at its confidence, the revenue the conversions brought and what the messages
-- cost. Skips by reason: kpi_campaign_skips; failures by error: kpi_campaign_failures.
with

sends as (select * from {{ ref('fct_campaign_sends') }}),
campaigns as (select * from {{ ref('stg_senders__campaigns') }}),

-- the holdout is one arm of the run, whatever variant its members were drawn
arms as (
    select
        *,
        coalesce(is_holdout, false) as in_holdout,
        case when coalesce(is_holdout, false) then 'holdout' else variant end as arm
    from sends
),

per_arm as (
    select
        campaign_id,
        run_id,
        arm as variant,
        in_holdout as is_holdout,
        min(goal_type) as goal_type,
        min(goal_within_days) as goal_within_days,

        -- the funnel; counts of audience members
        count(*) as audience,
        sum(case when final_status = 'skipped' then 1 else 0 end) as skipped,
        sum(case when measured_from is not null then 1 else 0 end) as measured,
        sum(case when message_id is not null then 1 else 0 end) as sent,
        sum(case when delivered_at is not null then 1 else 0 end) as delivered,
        sum(case when read_at is not null then 1 else 0 end) as read,
        sum(case when replied_at is not null then 1 else 0 end) as replied,
        sum(case when converted_at is not null then 1 else 0 end) as converted,
        sum(case when opted_out_at is not null then 1 else 0 end) as opted_out,
        sum(case when final_status = 'failed' then 1 else 0 end) as failed,
        sum(case when final_status = 'unknown' then 1 else 0 end) as unknown,

        -- money
        sum(revenue_attributed) as revenue_attributed,
        min(revenue_currency) as revenue_currency,
        sum(case when is_charged then 1 else 0 end) as charged_messages,
        sum(case when is_charged and cost is null then 1 else 0 end) as unpriced_messages,
        cast(sum(coalesce(cost, 0)) as decimal(18, 4)) as cost,
        min(cost_currency) as cost_currency
    from arms
    group by campaign_id, run_id, arm, in_holdout
),

holdouts as (
    select
        campaign_id,
        run_id,
        measured as holdout_measured,
        converted as holdout_converted
    from per_arm
    where is_holdout
),

compared as (
    select
        a.*,
        cast(a.converted as double) / nullif(a.measured, 0) as conversion_rate,
        h.holdout_measured,
        h.holdout_converted,
        cast(h.holdout_converted as double) / nullif(h.holdout_measured, 0) as holdout_conversion_rate,
        coalesce(k.uplift_method, 'newcombe_wilson') as uplift_method,
        coalesce(k.uplift_confidence, 0.95) as uplift_confidence,
        {{ z_for_confidence('coalesce(k.uplift_confidence, 0.95)') }} as z
    from per_arm a
    left join holdouts h
      on h.campaign_id = a.campaign_id and h.run_id = a.run_id and not a.is_holdout
    left join campaigns k on k.campaign_id = a.campaign_id
),

final as (
    select
        -- grain
        campaign_id,
        run_id,
        variant,
        is_holdout,
        goal_type,
        goal_within_days,

        -- funnel
        audience,
        skipped,
        measured,
        sent,
        delivered,
        read,
        replied,
        converted,
        opted_out,
        failed,
        unknown,
        conversion_rate,

        -- against the run's holdout (null on the holdout's own row)
        holdout_measured,
        holdout_converted,
        holdout_conversion_rate,
        conversion_rate - holdout_conversion_rate as uplift,
        round({{ uplift_bound('uplift_method', 'converted', 'measured', 'holdout_converted', 'holdout_measured', 'z', 'lower') }}, 6) as uplift_lower,
        round({{ uplift_bound('uplift_method', 'converted', 'measured', 'holdout_converted', 'holdout_measured', 'z', 'upper') }}, 6) as uplift_upper,
        uplift_method,
        uplift_confidence,

        -- money
        revenue_attributed,
        revenue_currency,
        charged_messages,
        unpriced_messages,
        cost,
        cost_currency
    from compared
)

select * from final
