-- Members of every segment at the end of each UTC day, and the entries and exits of the
-- day, from the first to the last day the segment was evaluated on.
with

history as (
    select * from {{ source('segments', 'segment_membership_history') }}
),

evaluations as (
    select * from {{ source('segments', 'segment_evaluations') }}
),

evaluated_days as (
    select
        segment_name,
        cast(min(as_of) as date) as first_day,
        cast(max(as_of) as date) as last_day
    from evaluations
    group by segment_name
),

calendar as (
    {{ days_between('(select min(first_day) from evaluated_days)', '(select max(last_day) from evaluated_days)') }}
),

segment_days as (
    select
        e.segment_name,
        c.day,
        cast(c.day as {{ dbt.type_timestamp() }}) as day_start,
        {{ dbt.dateadd('day', 1, 'cast(c.day as ' ~ dbt.type_timestamp() ~ ')') }} as day_end
    from evaluated_days e
    join calendar c on c.day between e.first_day and e.last_day
),

-- the stays that touch each day
stays as (
    select
        d.segment_name,
        d.day,
        h.contact_id,
        case when h.entered_at < d.day_end and (h.exited_at is null or h.exited_at >= d.day_end) then 1 else 0 end as is_member,
        case when h.entered_at >= d.day_start and h.entered_at < d.day_end then 1 else 0 end as has_entered,
        case when h.exited_at >= d.day_start and h.exited_at < d.day_end then 1 else 0 end as has_exited
    from segment_days d
    left join history h
      on h.segment_name = d.segment_name
     and h.entered_at < d.day_end
     and (h.exited_at is null or h.exited_at >= d.day_start)
),

final as (
    select
        segment_name,
        day,
        cast(sum(case when contact_id is null then 0 else is_member end) as {{ dbt.type_bigint() }}) as members,
        cast(sum(case when contact_id is null then 0 else has_entered end) as {{ dbt.type_bigint() }}) as entered,
        cast(sum(case when contact_id is null then 0 else has_exited end) as {{ dbt.type_bigint() }}) as exited
    from stays
    group by segment_name, day
)

select * from final
