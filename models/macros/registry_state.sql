{#- After a build that built int_contact_registry, its whole history goes to a new file
    under THREADLINE_HOME/state/contact_registry/ (pipelines/ingest/registry_state.py
    loads the newest into raw.contact_registry_state before the next ingest), so a
    warehouse rebuilt from landing/ and state/ keeps every contact id. -#}
{% macro save_contact_registry(results) %}
    {% if execute and target.type == 'duckdb' %}
        {% set built = [] %}
        {% for result in results %}
            {% if result.node.name == 'int_contact_registry' and result.status == 'success' %}
                {% do built.append(result.node) %}
            {% endif %}
        {% endfor %}
        {% if built %}
            {% set node = built[0] %}
            {% set file = env_var('THREADLINE_HOME', '../data') ~ '/state/contact_registry/registry-'
                ~ run_started_at.strftime('%Y%m%dT%H%M%S%f') ~ '.parquet' %}
            {% do run_query(
                "copy (select node, contact_id, valid_from from " ~ node.relation_name ~ " order by valid_from, node)"
                ~ " to '" ~ file ~ "' (format parquet)"
            ) %}
        {% endif %}
    {% endif %}
{% endmacro %}
