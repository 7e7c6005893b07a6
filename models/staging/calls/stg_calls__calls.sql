-- Phone calls, one row per call id.
with

source as (
    select * from {{ source('raw', 'calls') }}
),

renamed as (
    select
        -- ids
        'call:' || call_id as call_id,
        inbox_id,
        operator_id,

        -- who
        case when direction in ('outbound', 'out') then 'outbound' else 'inbound' end as direction,
        case when direction in ('outbound', 'out') then callee else caller end as customer_phone_raw,
        case when direction in ('outbound', 'out') then caller else callee end as business_phone_raw,

        -- the call
        coalesce(answered, false) as is_answered,
        duration_seconds,

        -- timestamps
        started_at
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (partition by call_id order by started_at, duration_seconds) = 1
)

select * from deduplicated
