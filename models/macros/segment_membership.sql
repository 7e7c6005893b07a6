{#- Segment membership history, kept across runs (DESIGN.md contract
    segments.segment_membership_history: segment_name, contact_id, entered_at, exited_at).

    Two tables that are NOT dbt models, so `dbt build --full-refresh` never drops them:
      segments.segment_membership_history  one row per stay of a contact in a segment
                                           (exited_at null while the stay is open)
      segments.segment_evaluations         one row per segment and evaluation time (as_of):
                                           members, entered, exited
    prepare_segment_membership (on-run-start) creates them when absent, from
    raw.segment_membership_state when that holds a saved copy (a warehouse rebuilt from
    nothing; pipelines/ingest/membership_state.py loads the newest file of
    THREADLINE_HOME/state/segment_membership/ there before each ingest).
    record_segment_membership (on-run-end) compares, for every segment built in this run
    whose tests did not fail, its members with the open stays, at the run's as_of
    (var as_of, else the run's start): stays of contacts no longer members close, new
    members open a stay. Evaluating again at the same as_of restates that evaluation
    (a stay opened at it and no longer true is removed, one closed at it is reopened),
    so a rebuild at a pinned as_of changes nothing; an as_of older than the segment's
    last evaluation is refused (the history only moves forward). A segment no longer in
    the project has its open stays closed at the next run that evaluates any segment.
    After a run that evaluated something, both tables are saved under state/. -#}

{% macro prepare_segment_membership() %}
    {% if not execute %}
        {{ return('') }}
    {% endif %}
    {% do run_query('create schema if not exists ' ~ adapter.quote('segments')) %}
    {% set saved = adapter.get_relation(database=target.database, schema='raw', identifier='segment_membership_state') %}
    {% set ts, text, number = dbt.type_timestamp(), dbt.type_string(), dbt.type_bigint() %}
    {% do create_segment_state_table('segment_membership_history', 'membership', saved,
        [('segment_name', text), ('contact_id', text), ('entered_at', ts), ('exited_at', ts)]) %}
    {% do create_segment_state_table('segment_evaluations', 'evaluation', saved,
        [('segment_name', text), ('as_of', ts), ('members', number), ('entered', number), ('exited', number)]) %}
    {#- hooks run in a transaction dbt rolls back when it releases the connection -#}
    {% do adapter.commit() %}
    {{ return('') }}
{% endmacro %}

{#- segments.<name> when absent: from the saved rows of `kind` when there is a saved copy,
    else empty; `columns` are (name, type) pairs -#}
{% macro create_segment_state_table(name, kind, saved, columns) %}
    {% set relation = segment_state_relation(name) %}
    {% if adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) is not none %}
        {{ return('') }}
    {% endif %}
    {% if saved is not none %}
        {% do run_query('create table ' ~ relation ~ ' as select ' ~ columns | map(attribute=0) | join(', ')
            ~ ' from ' ~ saved ~ " where kind = '" ~ kind ~ "'") %}
    {% else %}
        {% set typed = [] %}
        {% for column, type in columns %}
            {% do typed.append(column ~ ' ' ~ type) %}
        {% endfor %}
        {% do run_query('create table ' ~ relation ~ ' (' ~ typed | join(', ') ~ ')') %}
    {% endif %}
{% endmacro %}

{% macro record_segment_membership(results) %}
    {% if not execute %}
        {{ return('') }}
    {% endif %}
    {% set segments = segment_nodes() %}
    {% set segment_ids = segments | map(attribute='unique_id') | list %}
    {% set failed = [] %}
    {% for result in results %}
        {% if result.node.resource_type == 'test' and result.status in ['fail', 'error'] %}
            {#- a generic test names the model it is attached to; a singular one what it reads -#}
            {% if result.node.attached_node %}
                {% do failed.append(result.node.attached_node) %}
            {% else %}
                {% do failed.extend(result.node.depends_on.nodes) %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {% set evaluated = [] %}
    {% for result in results %}
        {% if result.node.unique_id in segment_ids and result.status == 'success' %}
            {% if result.node.unique_id in failed %}
                {% do log('segment ' ~ result.node.name ~ ': a test failed, membership history not updated', info=true) %}
            {% else %}
                {% do evaluated.append(result.node) %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {% if not evaluated %}
        {{ return('') }}
    {% endif %}

    {% set history = segment_state_relation('segment_membership_history') %}
    {% set evaluations = segment_state_relation('segment_evaluations') %}
    {% set as_of = segment_run_as_of() %}
    {% set changed = [] %}
    {% for node in evaluated %}
        {% set members = '(select distinct contact_id from ' ~ node.relation_name ~ ' where contact_id is not null)' %}
        {% if update_segment_membership(node.name, members, history, evaluations, as_of) %}
            {% do changed.append(node.name) %}
        {% endif %}
    {% endfor %}

    {#- segments no longer in the project: their open stays close, they have no members -#}
    {% set names = segments | map(attribute='name') | list %}
    {% set open = run_query('select distinct segment_name from ' ~ history ~ ' where exited_at is null') %}
    {% for row in open.rows %}
        {% if row[0] not in names %}
            {% do log('segment ' ~ row[0] ~ ' is no longer in the project: its open memberships close', info=true) %}
            {% set nobody = '(select contact_id from ' ~ history ~ ' where 1 = 0)' %}
            {% if update_segment_membership(row[0], nobody, history, evaluations, as_of) %}
                {% do changed.append(row[0]) %}
            {% endif %}
        {% endif %}
    {% endfor %}

    {% do adapter.commit() %}
    {% if changed %}
        {% do save_segment_membership_state(history, evaluations) %}
    {% endif %}
    {{ return('') }}
{% endmacro %}

{#- One segment's evaluation at `as_of` from `members` (a subquery of contact_id); false
    when refused because the segment was already evaluated at a later time. Portable SQL
    (update / delete / insert), each statement safe to repeat. -#}
{% macro update_segment_membership(name, members, history, evaluations, as_of) %}
    {% set segment = segment_literal(name) %}
    {% set later = run_query('select count(*) from ' ~ evaluations ~ ' where segment_name = ' ~ segment ~ ' and as_of > ' ~ as_of) %}
    {% if later.rows[0][0] > 0 %}
        {% do log('segment ' ~ name ~ ': already evaluated after ' ~ as_of ~ '; membership history not updated', info=true) %}
        {{ return(false) }}
    {% endif %}
    {% set is_member = 'exists (select 1 from ' ~ members ~ ' m where m.contact_id = h.contact_id)' %}
    {#- restating this as_of: a stay it opened that is no longer true never existed -#}
    {% do run_query('delete from ' ~ history ~ ' as h where h.segment_name = ' ~ segment
        ~ ' and h.exited_at is null and h.entered_at = ' ~ as_of ~ ' and not ' ~ is_member) %}
    {% do run_query('update ' ~ history ~ ' as h set exited_at = ' ~ as_of ~ ' where h.segment_name = ' ~ segment
        ~ ' and h.exited_at is null and not ' ~ is_member) %}
    {#- restating this as_of: a stay it closed whose contact is a member again stays open -#}
    {% do run_query('update ' ~ history ~ ' as h set exited_at = null where h.segment_name = ' ~ segment
        ~ ' and h.exited_at = ' ~ as_of ~ ' and ' ~ is_member
        ~ ' and not exists (select 1 from ' ~ history ~ ' o where o.segment_name = h.segment_name'
        ~ ' and o.contact_id = h.contact_id and o.exited_at is null)') %}
    {% do run_query('insert into ' ~ history ~ ' (segment_name, contact_id, entered_at, exited_at) select '
        ~ segment ~ ', m.contact_id, ' ~ as_of ~ ', cast(null as ' ~ dbt.type_timestamp() ~ ') from ' ~ members ~ ' m'
        ~ ' where not exists (select 1 from ' ~ history ~ ' o where o.segment_name = ' ~ segment
        ~ ' and o.contact_id = m.contact_id and o.exited_at is null)') %}
    {% do run_query('delete from ' ~ evaluations ~ ' where segment_name = ' ~ segment ~ ' and as_of = ' ~ as_of) %}
    {% do run_query('insert into ' ~ evaluations ~ ' (segment_name, as_of, members, entered, exited) select '
        ~ segment ~ ', ' ~ as_of ~ ','
        ~ ' sum(case when h.contact_id is not null and h.exited_at is null then 1 else 0 end),'
        ~ ' sum(case when h.entered_at = ' ~ as_of ~ ' then 1 else 0 end),'
        ~ ' sum(case when h.exited_at = ' ~ as_of ~ ' then 1 else 0 end)'
        ~ ' from (select ' ~ segment ~ ' as segment_name) s left join ' ~ history ~ ' h on h.segment_name = s.segment_name') %}
    {{ return(true) }}
{% endmacro %}

{#- Both tables to a new file state/segment_membership/membership-<run start>.parquet,
    one row per stay (kind membership) or evaluation (kind evaluation); the newest
    readable file is restored into a warehouse rebuilt from nothing. DuckDB only: other
    adapters keep the history in their own durable tables. -#}
{% macro save_segment_membership_state(history, evaluations) %}
    {{ return(adapter.dispatch('save_segment_membership_state', 'threadline')(history, evaluations)) }}
{% endmacro %}

{% macro default__save_segment_membership_state(history, evaluations) %}
    {% do log('segment membership state is kept in ' ~ history ~ ' (no file copy on ' ~ target.type ~ ')') %}
{% endmacro %}

{% macro duckdb__save_segment_membership_state(history, evaluations) %}
    {% set folder = env_var('THREADLINE_HOME', '../data') ~ '/state/segment_membership' %}
    {% set file = folder ~ '/membership-' ~ run_started_at.strftime('%Y%m%dT%H%M%S%f') ~ '.parquet' %}
    {% set ts = dbt.type_timestamp() %}
    {% do run_query(
        "copy (select 'membership' as kind, segment_name, contact_id, entered_at, exited_at,"
        ~ " cast(null as " ~ ts ~ ") as as_of, cast(null as bigint) as members, cast(null as bigint) as entered, cast(null as bigint) as exited"
        ~ " from " ~ history
        ~ " union all select 'evaluation', segment_name, cast(null as varchar), cast(null as " ~ ts ~ "), cast(null as " ~ ts ~ "),"
        ~ " as_of, members, entered, exited from " ~ evaluations
        ~ " order by 1, 2, 3, 4, 6) to '" ~ file ~ "' (format parquet)"
    ) %}
{% endmacro %}
