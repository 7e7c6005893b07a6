-- One row per listing (its reference): the latest version landed decides. A listing
-- exported again (a price drop, sold, withdrawn) is a new version of raw.listings.
with

source as (
    select * from {{ source('raw', 'listings') }}
),

renamed as (
    select
        -- ids
        listing_ref,

        -- what and where
        title,
        city,
        area as zone,
        coalesce(area, city) as area,
        {{ fold_text('coalesce(area, city)') }} as area_key,
        contract,

        -- numerics
        rooms,
        price,
        surface_sqm,

        -- state
        status,
        url,

        -- timestamps
        published_at,
        updated_at,
        ingested_at,
        file,
        line_no
    from source
),

versions as (
    select
        *,
        row_number() over (
            partition by listing_ref
            order by updated_at desc nulls last, ingested_at desc, file desc, line_no desc
        ) as recency,
        count(*) over (partition by listing_ref) as versions,
        min(published_at) over (partition by listing_ref) as first_published_at,
        min(ingested_at) over (partition by listing_ref) as first_seen_at
    from renamed
),

final as (
    select
        listing_ref,
        title,
        city,
        zone,
        area,
        area_key,
        coalesce(contract, 'sale') as contract,
        rooms,
        price,
        surface_sqm,
        status,
        status = 'available' as is_available,
        url,
        coalesce(published_at, first_published_at, first_seen_at) as published_at,
        updated_at,
        versions
    from versions
    where recency = 1
)

select * from final
