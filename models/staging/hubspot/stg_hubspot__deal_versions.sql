-- Every distinct version of every HubSpot deal (a stage change is a new version).
with

source as (
    select * from {{ source('raw', 'hubspot_deals') }}
),

renamed as (
    select
        -- ids
        deal_id,
        {{ json_text('payload', '$.associations.contacts.results[0].id') }} as crm_contact_id,

        -- attributes
        {{ json_text('payload', '$.properties.dealname') }} as deal_name,
        {{ json_text('payload', '$.properties.pipeline') }} as pipeline,
        {{ json_text('payload', '$.properties.dealstage') }} as deal_stage,
        try_cast({{ json_text('payload', '$.properties.amount') }} as decimal(18, 2)) as amount,
        coalesce(archived, false) as is_archived,

        -- timestamps
        {{ from_iso8601(json_text('payload', '$.properties.closedate')) }} as close_date,
        {{ from_iso8601(json_text('payload', '$.createdAt')) }} as created_at,
        {{ from_iso8601('updated_at') }} as updated_at
    from source
)

select distinct * from renamed
