-- One row per segment of the project (every model in models/segments/ but the
-- framework's own), read from the dbt graph when this view is built, with its members
-- now and its last evaluation read from the membership tables when the view is queried.
-- Dashboards and senders list segments from here, never from a list in code.
-- the saved copy the membership tables are restored from, so it loads before the build:
-- depends_on: {{ source('segment_state', 'segment_membership_state') }}
{%- set segments = segment_nodes() if execute else [] %}
with

history as (
    select * from {{ source('segments', 'segment_membership_history') }}
),

evaluations as (
    select * from {{ source('segments', 'segment_evaluations') }}
),

{#- one select of literals per segment; no segment gives an empty relation -#}
declared as (
    {%- for node in segments %}
    {%- set meta = segment_meta(node) %}
    {%- set template_columns = meta.get('template_columns') or [] %}
    select
        {{ segment_literal(node.name) }} as segment_name,
        {{ segment_literal(node.description | trim) }} as description,
        {{ segment_literal(meta.get('owner')) }} as owner,
        {{ segment_literal(meta.get('purpose')) }} as purpose,
        {{ segment_literal(meta.get('channel')) }} as channel,
        {{ segment_literal(template_columns | join(',')) }} as template_columns,
        {{ segment_literal(node.columns.keys() | join(',')) }} as columns,
        {{ segment_literal(node.schema ~ '.' ~ node.alias) }} as relation_name,
        {{ segment_literal('models/' ~ node.original_file_path) }} as sql_file,
        {{ segment_literal(segment_yaml_path(node)) }} as yaml_file
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        {%- for column in ['segment_name', 'description', 'owner', 'purpose', 'channel', 'template_columns', 'columns', 'relation_name', 'sql_file', 'yaml_file'] %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from history
    where 1 = 0
    {%- endfor %}
),

members as (
    select segment_name, count(*) as members
    from history
    where exited_at is null
    group by segment_name
),

last_evaluations as (
    select segment_name, max(as_of) as last_evaluated_at
    from evaluations
    group by segment_name
),

final as (
    select
        d.segment_name,
        d.description,
        d.owner,
        d.purpose,
        d.channel,
        d.template_columns,
        d.columns,
        d.relation_name,
        d.sql_file,
        d.yaml_file,
        coalesce(m.members, 0) as members,
        e.last_evaluated_at,
        {{ segment_run_as_of() }} as built_at
    from declared d
    left join members m on m.segment_name = d.segment_name
    left join last_evaluations e on e.segment_name = d.segment_name
)

select * from final
