-- One row per web-form consent statement (landing/consent/), repeated exports counted once.
with

source as (
    select * from {{ source('raw', 'consent_forms') }}
),

renamed as (
    select
        -- ids: the form tool's, else one made from what the statement says
        coalesce(
            submission_id,
            {{ dbt.concat(["'row-'", dbt.hash(dbt.concat([
                "coalesce(phone, '')", "'|'", "coalesce(email, '')", "'|'", "purpose", "'|'",
                "channel", "'|'", "state", "'|'", "cast(occurred_at as " ~ dbt.type_string() ~ ")", "'|'",
                "coalesce(form_name, '')"]))]) }}
        ) as submission_id,

        -- who
        phone as phone_raw,
        email,

        -- the statement
        purpose,
        channel,
        state,
        form_name,
        wording,

        -- timestamps
        occurred_at,
        ingested_at,
        file,
        line_no
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by submission_id order by ingested_at, file, line_no
        ) as copy_no
    from renamed
),

final as (
    select
        submission_id,
        phone_raw,
        email,
        purpose,
        channel,
        state,
        form_name,
        wording,
        occurred_at
    from ranked
    where copy_no = 1
)

select * from final
