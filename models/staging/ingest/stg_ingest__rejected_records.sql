-- What ingestion could not read (raw.rejected_records), one row per rejected line or
-- file, with its source, position and reason; the raw text is left in raw.
with

source as (
    select * from {{ source('raw', 'rejected_records') }}
),

renamed as (
    select
        -- where
        source,
        file,
        line_no,

        -- why
        reason,

        -- timestamps
        rejected_at
    from source
)

select distinct * from renamed
