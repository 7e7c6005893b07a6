{#- The segments of the project, read from the dbt graph: every model under
    models/segments/ except the framework's own models (tagged `segment_framework`).
    Adding a segment is adding its SQL and YAML there; every consumer (the guard, the
    membership history, the catalog, Dagster, the dashboards) finds it through this rule
    (pipelines/transform/segments.py applies the same rule to the manifest). -#}
{% macro segment_nodes() %}
    {% set found = [] %}
    {% for node in graph.nodes.values() %}
        {% if node.resource_type == 'model'
              and node.original_file_path.replace('\\', '/').startswith('segments/')
              and 'segment_framework' not in node.tags %}
            {% do found.append(node) %}
        {% endif %}
    {% endfor %}
    {{ return(found | sort(attribute='name')) }}
{% endmacro %}

{#- A segment's meta contract: config.meta (the YAML's `config: meta:`), else the older
    top-level `meta:`. -#}
{% macro segment_meta(node) %}
    {% set meta = node.config.get('meta') or {} %}
    {% if not meta %}
        {% set meta = node.get('meta') or {} %}
    {% endif %}
    {{ return(meta) }}
{% endmacro %}

{#- The YAML file that documents a segment (node.patch_path is "threadline://segments/x.yml"). -#}
{% macro segment_yaml_path(node) %}
    {% if node.patch_path %}
        {{ return('models/' ~ node.patch_path.split('://')[-1]) }}
    {% endif %}
    {{ return(none) }}
{% endmacro %}

{#- The relations the framework keeps outside dbt's models (created by
    prepare_segment_membership, never dropped by `--full-refresh`). -#}
{% macro segment_state_relation(name) %}
    {{ return(api.Relation.create(database=target.database, schema='segments', identifier=name)) }}
{% endmacro %}

{#- The moment this run evaluates segments at: var('as_of') when pinned, else the run's
    start (UTC), the same for every segment of the run. -#}
{% macro segment_run_as_of() %}
    {% if var('as_of', none) %}
        {{ return("cast('" ~ var('as_of') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {% endif %}
    {{ return("cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{#- SQL string literal -#}
{% macro segment_literal(value) %}
    {% if value is none %}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {% endif %}
    {{ return("'" ~ (value | string).replace("'", "''") ~ "'") }}
{% endmacro %}
