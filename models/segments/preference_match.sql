-- Contacts who told us what home they are looking for (rooms, area, budget) and for whom
-- a listing has come on the market since we last heard from each other, with the best
-- such listing; only contacts who consented to marketing on WhatsApp. Rules in the YAML.
with

preferences as (
    select * from {{ ref('int_contact_preferences') }}
    where area_key is not null
),

listings as (
    select * from {{ ref('stg_listings__listings') }}
    where is_available
      and published_at <= {{ as_of() }}
),

messages as (
    select * from {{ ref('fct_messages') }}
    where sent_at <= {{ as_of() }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

-- marketing on WhatsApp needs consent granted now (marts.dim_consent)
consented as (
    {{ consented_contacts('whatsapp') }}
),

-- the last message either way, on any channel
last_contacts as (
    select contact_id, max(sent_at) as last_contact_at
    from messages
    where contact_id is not null
    group by contact_id
),

candidates as (
    select
        p.contact_id,
        lc.last_contact_at,
        p.rooms_min,
        p.rooms_max,
        p.budget_max,
        p.area_evidence,
        p.rooms_evidence,
        p.budget_max_evidence,
        l.listing_ref,
        l.title as listing_title,
        l.area as listing_area,
        l.rooms as listing_rooms,
        l.price as listing_price,
        l.url as listing_url,
        l.published_at as listing_published_at,
        case when p.budget_max is null or l.price <= p.budget_max then 0 else 1 end as over_budget
    from preferences p
    join consented using (contact_id)
    join listings l
      on l.area_key = p.area_key
     and l.contract = p.contract
    left join last_contacts lc on lc.contact_id = p.contact_id
    where (lc.last_contact_at is null or l.published_at > lc.last_contact_at)
      and (p.rooms_min is null or l.rooms >= p.rooms_min)
      and (p.rooms_max is null or l.rooms <= p.rooms_max)
      and (p.budget_max is null
           or l.price <= p.budget_max * (1 + {{ var('preference_match_budget_tolerance') }}))
),

-- the best listing: within budget before over it (inside the tolerance), then the newest,
-- then the cheapest
ranked as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by over_budget, listing_published_at desc, listing_price, listing_ref
        ) as rank_for_contact,
        count(*) over (partition by contact_id) as matching_listings
    from candidates
),

final as (
    select
        r.contact_id,
        c.first_name,
        c.display_name,
        c.phone_e164,
        r.listing_ref,
        r.listing_title,
        r.listing_area,
        r.listing_rooms,
        r.listing_price,
        r.listing_url,
        r.listing_published_at,
        r.matching_listings,
        r.last_contact_at,
        r.rooms_min,
        r.rooms_max,
        r.budget_max,
        r.area_evidence,
        r.rooms_evidence,
        r.budget_max_evidence
    from ranked r
    join contacts c using (contact_id)
    where r.rank_for_contact = 1
)

select * from final
