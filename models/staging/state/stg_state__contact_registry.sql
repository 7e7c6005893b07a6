-- The contact registry as saved under THREADLINE_HOME/state/ after the last build
-- (raw.contact_registry_state, loaded by pipelines/ingest/registry_state.py): every
-- identifier → contact assignment ever made. int_contact_registry starts from it when
-- it is built from scratch, so contact ids survive a rebuilt warehouse.
with

source as (
    select * from {{ source('raw', 'contact_registry_state') }}
),

renamed as (
    select
        -- ids
        node,
        contact_id,

        -- timestamps
        valid_from
    from source
)

select distinct * from renamed
