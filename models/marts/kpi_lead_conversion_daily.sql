-- Lead conversion per UTC day of the lead, ad (source_id, 'organic' when the lead came
-- from no ad) and channel: leads, and how many converted to each goal within the
-- attribution window (kpi_lead_conversion).
with

leads as (select * from {{ ref('kpi_lead_conversion') }}),

final as (
    select
        cast({{ dbt.date_trunc('day', 'lead_at') }} as date) as day,
        coalesce(ad_id, 'organic') as ad_source_id,
        channel,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted,
        sum(case when converted_order_at is not null then 1 else 0 end) as converted_order,
        sum(case when converted_appointment_at is not null then 1 else 0 end) as converted_appointment,
        sum(case when converted_deal_at is not null then 1 else 0 end) as converted_won_deal,
        cast(sum(case when is_converted then 1 else 0 end) as double) / count(*) as conversion_rate
    from leads
    group by 1, 2, 3
)

select * from final
