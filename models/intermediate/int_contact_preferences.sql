-- What each contact is looking for now, one row per contact and preferred area (a row
-- with no area when none was named): per attribute, the latest statement wins, whether
-- it was written in a message or set in the CRM; each attribute keeps its evidence.
with

statements as (
    select * from {{ ref('int_preference_statements') }}
),

-- one line per statement and attribute (a statement naming two areas is one statement)
stated as (
    select distinct contact_id, attribute, source, evidence, stated_at
    from statements
),

ranked as (
    select
        *,
        row_number() over (
            partition by contact_id, attribute
            order by stated_at desc, case when source = 'message' then 0 else 1 end, evidence desc
        ) as recency
    from stated
),

latest as (
    select s.*
    from statements s
    join ranked r
      on r.contact_id = s.contact_id
     and r.attribute = s.attribute
     and r.evidence = s.evidence
     and r.recency = 1
),

contacts as (
    select distinct contact_id from latest
),

rooms as (
    select contact_id, rooms_min, rooms_max, source as rooms_source, evidence as rooms_evidence,
           stated_at as rooms_stated_at
    from latest where attribute = 'rooms'
),

budget_max as (
    select contact_id, amount as budget_max, source as budget_max_source,
           evidence as budget_max_evidence, stated_at as budget_max_stated_at
    from latest where attribute = 'budget_max'
),

budget_min as (
    select contact_id, amount as budget_min, source as budget_min_source,
           evidence as budget_min_evidence, stated_at as budget_min_stated_at
    from latest where attribute = 'budget_min'
),

contracts as (
    select contact_id, contract, evidence as contract_evidence
    from latest where attribute = 'contract'
),

areas as (
    select contact_id, area_key, area, source as area_source, evidence as area_evidence,
           stated_at as area_stated_at
    from latest where attribute = 'area'
),

final as (
    select
        c.contact_id,
        a.area_key,
        a.area,
        r.rooms_min,
        r.rooms_max,
        bmin.budget_min,
        bmax.budget_max,
        coalesce(k.contract, 'sale') as contract,
        a.area_source,
        a.area_evidence,
        a.area_stated_at,
        r.rooms_source,
        r.rooms_evidence,
        r.rooms_stated_at,
        bmax.budget_max_source,
        bmax.budget_max_evidence,
        bmax.budget_max_stated_at,
        bmin.budget_min_source,
        bmin.budget_min_evidence,
        bmin.budget_min_stated_at,
        k.contract_evidence
    from contacts c
    left join areas a on a.contact_id = c.contact_id
    left join rooms r on r.contact_id = c.contact_id
    left join budget_max bmax on bmax.contact_id = c.contact_id
    left join budget_min bmin on bmin.contact_id = c.contact_id
    left join contracts k on k.contact_id = c.contact_id
)

select * from final
