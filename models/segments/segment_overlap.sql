-- For every ordered pair of different segments of the catalog: members now of each, of
-- both, and their Jaccard index (both / either). Both orders are listed, so a reader
-- picks a pair with `segment_a = ... and segment_b = ...`.
with

catalog as (
    select segment_name, members from {{ ref('segment_catalog') }}
),

current_members as (
    select segment_name, contact_id
    from {{ source('segments', 'segment_membership_history') }}
    where exited_at is null
),

pairs as (
    select
        a.segment_name as segment_a,
        b.segment_name as segment_b,
        a.members as members_a,
        b.members as members_b
    from catalog a
    cross join catalog b
    where a.segment_name <> b.segment_name
),

shared as (
    select
        a.segment_name as segment_a,
        b.segment_name as segment_b,
        count(*) as both_members
    from current_members a
    join current_members b
      on b.contact_id = a.contact_id
     and b.segment_name <> a.segment_name
    group by a.segment_name, b.segment_name
),

final as (
    select
        p.segment_a,
        p.segment_b,
        p.members_a,
        p.members_b,
        cast(coalesce(s.both_members, 0) as {{ dbt.type_bigint() }}) as both_members,
        case
            when p.members_a + p.members_b - coalesce(s.both_members, 0) = 0 then null
            else cast(coalesce(s.both_members, 0) as double)
                 / (p.members_a + p.members_b - coalesce(s.both_members, 0))
        end as jaccard
    from pairs p
    left join shared s on s.segment_a = p.segment_a and s.segment_b = p.segment_b
)

select * from final
