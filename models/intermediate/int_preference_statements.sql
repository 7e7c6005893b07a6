-- Every statement of what a contact is looking for (estate agent: rooms, area, budget,
-- sale or rent), one row per statement and attribute (and per area named): parsed from
-- what customers wrote and read from CRM properties. The rules are in the YAML and in
-- macros/preferences.sql; int_contact_preferences keeps the latest per attribute.
with

inboxes as (
    select * from {{ ref('int_inboxes') }}
),

-- what customers wrote to a business that sells homes (var preference_match_verticals;
-- an inbox of unknown vertical counts), so "Arredi Navigli" in a message to the
-- furniture shop is no search in Navigli
messages as (
    select m.*
    from {{ ref('int_messages') }} m
    left join inboxes i on i.inbox_id = m.inbox_id
    where m.direction = 'inbound'
      and m.sender_type = 'customer'
      and m.body is not null
      and m.contact_id is not null
      and (i.vertical is null
           or i.vertical in ({% for v in var('preference_match_verticals') %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %}))
),

crm_preferences as (
    select * from {{ ref('stg_hubspot__contact_preferences') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

listings as (
    select * from {{ ref('stg_listings__listings') }}
),

-- the places listings are in: the names an area is recognized by
areas as (
    select area_key, min(area) as area
    from listings
    where area_key is not null and area_key <> ''
    group by area_key
),

message_texts as (
    select
        'message' as source,
        message_id as evidence,
        contact_id,
        sent_at as stated_at,
        {{ lower_unaccented('body') }} as text
    from messages
),

-- a seller describing their own home, or asking for a valuation, states no search
searches as (
    select
        *,
        case
            when {{ regexp_found('text', preference_rent_pattern()) }} then 'rent'
            when {{ regexp_found('text', preference_sale_pattern()) }} then 'sale'
            when {{ regexp_found('text', preference_monthly_pattern()) }} then 'rent'
        end as contract
    from message_texts
    where not {{ regexp_found('text', preference_seller_pattern()) }}
),

crm_texts as (
    select
        'hubspot' as source,
        'hubspot:' || p.crm_contact_id || ':' || p.property as evidence,
        rc.contact_id,
        p.stated_at,
        p.property,
        {{ lower_unaccented('p.value') }} as text
    from crm_preferences p
    join record_contacts rc on rc.record_id = 'hubspot_contact:' || p.crm_contact_id
),

-- ---- rooms: the text with room words as numbers; a CRM value counts in locali ------------
room_texts as (
    select source, evidence, contact_id, stated_at, {{ preference_room_words('text') }} as text
    from searches
    union all
    select source, evidence, contact_id, stated_at, {{ preference_room_words(dbt.concat(['text', "' locali'"])) }}
    from crm_texts
    where property = 'preferred_rooms'
),

room_matches as (
    select
        *,
        regexp_extract(text, '{{ preference_rooms_pair_pattern() }}', 1) as pair_low,
        regexp_extract(text, '{{ preference_rooms_pair_pattern() }}', 2) as pair_low_unit,
        regexp_extract(text, '{{ preference_rooms_pair_pattern() }}', 3) as pair_high,
        regexp_extract(text, '{{ preference_rooms_pair_pattern() }}', 4) as pair_high_unit,
        regexp_extract(text, '{{ preference_rooms_range_pattern() }}', 1) as range_low,
        regexp_extract(text, '{{ preference_rooms_range_pattern() }}', 2) as range_high,
        regexp_extract(text, '{{ preference_rooms_range_pattern() }}', 3) as range_unit,
        regexp_extract(text, '{{ preference_rooms_at_least_pattern() }}', 1) as at_least,
        regexp_extract(text, '{{ preference_rooms_at_least_pattern() }}', 2) as at_least_unit,
        regexp_extract(text, '{{ preference_rooms_single_pattern() }}', 1) as single,
        regexp_extract(text, '{{ preference_rooms_single_pattern() }}', 2) as single_plus,
        regexp_extract(text, '{{ preference_rooms_single_pattern() }}', 3) as single_unit,
        regexp_extract(text, '{{ preference_rooms_single_pattern() }}', 4) as single_more
    from room_texts
),

room_bounds as (
    select
        *,
        {{ preference_rooms_as_locali('pair_low', 'pair_low_unit') }} as pair_a,
        {{ preference_rooms_as_locali('pair_high', 'pair_high_unit') }} as pair_b,
        {{ preference_rooms_as_locali('range_low', 'range_unit') }} as range_a,
        {{ preference_rooms_as_locali('range_high', 'range_unit') }} as range_b,
        {{ preference_rooms_as_locali('at_least', 'at_least_unit') }} as at_least_rooms,
        {{ preference_rooms_as_locali('single', 'single_unit') }} as single_rooms
    from room_matches
),

rooms as (
    select
        source,
        evidence,
        contact_id,
        stated_at,
        'rooms' as attribute,
        case
            when pair_a is not null then least(pair_a, pair_b)
            when range_a is not null then least(range_a, range_b)
            when at_least_rooms is not null then at_least_rooms
            else single_rooms
        end as rooms_min,
        case
            when pair_a is not null then greatest(pair_a, pair_b)
            when range_a is not null then greatest(range_a, range_b)
            when at_least_rooms is not null then cast(null as integer)
            when single_plus <> '' or single_more <> '' then cast(null as integer)
            else single_rooms
        end as rooms_max,
        cast(null as {{ dbt.type_string() }}) as area_key,
        cast(null as {{ dbt.type_string() }}) as area,
        cast(null as double) as amount,
        cast(null as {{ dbt.type_string() }}) as contract
    from room_bounds
    where coalesce(pair_a, range_a, at_least_rooms, single_rooms) is not null
),

-- ---- areas: a listing's area named as whole words; a CRM value may name several -----------
area_texts as (
    select source, evidence, contact_id, stated_at, {{ fold_text('text') }} as words
    from searches
    union all
    select source, evidence, contact_id, stated_at, {{ fold_text('text') }}
    from crm_texts
    where property = 'preferred_area'
),

named_areas as (
    select
        t.source,
        t.evidence,
        t.contact_id,
        t.stated_at,
        'area' as attribute,
        cast(null as integer) as rooms_min,
        cast(null as integer) as rooms_max,
        a.area_key,
        a.area,
        cast(null as double) as amount,
        cast(null as {{ dbt.type_string() }}) as contract
    from area_texts t
    join areas a
      on {{ dbt.concat(["' '", 't.words', "' '"]) }} like {{ dbt.concat(["'% '", 'a.area_key', "' %'"]) }}
),

-- ---- budget: a maximum ("max 350k"), a range ("tra 250 e 300 mila"); CRM values as numbers
budget_matches as (
    select
        *,
        regexp_extract(text, '{{ preference_budget_max_pattern() }}', 1) as max_number,
        regexp_extract(text, '{{ preference_budget_max_pattern() }}', 2) as max_unit,
        regexp_extract(text, '{{ preference_budget_range_pattern() }}', 1) as low_number,
        regexp_extract(text, '{{ preference_budget_range_pattern() }}', 2) as low_unit,
        regexp_extract(text, '{{ preference_budget_range_pattern() }}', 3) as high_number,
        regexp_extract(text, '{{ preference_budget_range_pattern() }}', 4) as high_unit
    from searches
),

budget_amounts as (
    select
        *,
        {{ preference_amount('max_number', 'max_unit') }} as max_amount,
        {{ preference_amount('low_number', "case when low_unit = '' then high_unit else low_unit end") }} as low_amount,
        {{ preference_amount('high_number', 'high_unit') }} as high_amount
    from budget_matches
),

message_budgets as (
    select
        source,
        evidence,
        contact_id,
        stated_at,
        {{ preference_budget('coalesce(high_amount, max_amount)', 'contract') }} as budget_max,
        case when high_amount is not null then {{ preference_budget('low_amount', 'contract') }} end as budget_min
    from budget_amounts
),

budgets as (
    select
        source, evidence, contact_id, stated_at, 'budget_max' as attribute,
        cast(null as integer) as rooms_min, cast(null as integer) as rooms_max,
        cast(null as {{ dbt.type_string() }}) as area_key, cast(null as {{ dbt.type_string() }}) as area,
        budget_max as amount, cast(null as {{ dbt.type_string() }}) as contract
    from message_budgets
    where budget_max is not null
    union all
    select
        source, evidence, contact_id, stated_at, 'budget_min',
        cast(null as integer), cast(null as integer),
        cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}),
        budget_min, cast(null as {{ dbt.type_string() }})
    from message_budgets
    where budget_min is not null
    union all
    select
        source, evidence, contact_id, stated_at, property,
        cast(null as integer), cast(null as integer),
        cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}),
        {{ preference_number(regexp_replace_all('text', '[€ ]|euro', '')) }}, cast(null as {{ dbt.type_string() }})
    from crm_texts
    where property in ('budget_min', 'budget_max')
      and {{ preference_number(regexp_replace_all('text', '[€ ]|euro', '')) }} > 0
),

-- ---- sale or rent --------------------------------------------------------------------
contracts as (
    select
        source, evidence, contact_id, stated_at, 'contract' as attribute,
        cast(null as integer) as rooms_min, cast(null as integer) as rooms_max,
        cast(null as {{ dbt.type_string() }}) as area_key, cast(null as {{ dbt.type_string() }}) as area,
        cast(null as double) as amount, contract
    from searches
    where contract is not null
),

final as (
    select * from rooms
    union all
    select * from named_areas
    union all
    select * from budgets
    union all
    select * from contracts
)

select * from final
