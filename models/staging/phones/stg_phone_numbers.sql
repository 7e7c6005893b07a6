-- Each raw phone value as the sources wrote it, with the E.164 number identity uses.
--
-- A number the phonenumbers library calls valid keeps its E.164. One it calls invalid
-- is still a person's number when WhatsApp vouches for it: a `wa_id` is the number
-- WhatsApp delivered from (its digits with a plus), and a number typed elsewhere (a CRM,
-- an order) whose digits are those of a `wa_id` is that same number. Any other invalid
-- value is kept with no E.164 (never guessed) and reported in marts.data_health.
with

source as (
    select * from {{ source('raw', 'phone_numbers') }}
),

parsed as (
    select
        kind,
        raw_value,
        phone_e164 as parsed_e164,
        region_code,
        country_calling_code,
        is_valid,
        regexp_replace(raw_value, '[^0-9]', '', 'g') as digits,
        regexp_matches(trim(raw_value), '^(\+|00)') as is_international
    from source
),

-- the digits a typed value would have in international form
candidates as (
    select
        *,
        case
            when kind = 'wa_id' then digits
            when is_international then regexp_replace(regexp_replace(trim(raw_value), '^00', ''), '[^0-9]', '', 'g')
            when country_calling_code is not null then cast(country_calling_code as varchar) || digits
        end as international_digits
    from parsed
),

vouched_by_whatsapp as (
    select distinct digits
    from candidates
    where kind = 'wa_id' and length(digits) between 7 and 15
),

final as (
    select
        c.kind,
        c.raw_value,
        coalesce(c.parsed_e164, case when v.digits is not null then '+' || v.digits end) as phone_e164,
        c.region_code,
        c.country_calling_code,
        c.is_valid,
        not c.is_valid and v.digits is not null as is_vouched_by_whatsapp
    from candidates c
    left join vouched_by_whatsapp v on v.digits = c.international_digits
)

select * from final
