-- Failed sends per campaign, run, variant and error code, with Meta's title of the error
-- and what to do about it (seed meta_error_codes): the detail of kpi_campaign_funnel's
-- `failed`.
with

sends as (select * from {{ ref('fct_campaign_sends') }}),
error_codes as (select * from {{ ref('meta_error_codes') }}),

failed as (
    select campaign_id, run_id, variant, error_code
    from sends
    where final_status = 'failed'
),

counted as (
    select campaign_id, run_id, variant, error_code, count(*) as members
    from failed
    group by campaign_id, run_id, variant, error_code
),

final as (
    select
        c.campaign_id,
        c.run_id,
        c.variant,
        c.error_code,
        e.title as error_title,
        e.meaning as error_meaning,
        e.what_to_do,
        c.members
    from counted c
    left join error_codes e on e.code = c.error_code
)

select * from final
