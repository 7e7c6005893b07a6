{#- The segment contract, checked before anything is built (on-run-start): every segment
    (segment_nodes) has a YAML with a description and its columns, config.meta.owner,
    config.meta.purpose (marketing | service), config.meta.template_columns (a list of
    columns of its YAML, possibly empty), a `contact_id` column, and, when its purpose is
    marketing, a channel and the `marketing_consent_granted` test on that channel. One
    compiler error lists every problem with the file to fix (README "Adding a segment"). -#}
{% macro check_segments() %}
    {% if not execute %}
        {{ return('') }}
    {% endif %}
    {% set problems = [] %}
    {% for node in segment_nodes() %}
        {% set sql_file = 'models/' ~ node.original_file_path %}
        {% set yaml_file = segment_yaml_path(node) %}
        {% set where = sql_file ~ ' (YAML ' ~ (yaml_file or 'missing') ~ ')' %}
        {% if not yaml_file %}
            {% do problems.append(sql_file ~ ': no YAML documents it; add models/segments/' ~ node.name
                ~ '.yml with `models: - name: ' ~ node.name ~ '`, a description, config.meta and its columns') %}
        {% else %}
            {% set meta = segment_meta(node) %}
            {% set columns = node.columns.keys() | map('lower') | list %}
            {% if not (node.description | trim) %}
                {% do problems.append(where ~ ': no description; write what the segment is for and its rules under `description:`') %}
            {% endif %}
            {% if 'contact_id' not in columns %}
                {% do problems.append(where ~ ': no `contact_id` column in the YAML; a segment has one row per member, list `- name: contact_id` under columns') %}
            {% endif %}
            {% if not meta.get('owner') %}
                {% do problems.append(where ~ ': config.meta.owner is missing; add `owner: <team or person>` under config: meta:') %}
            {% endif %}
            {% set purpose = meta.get('purpose') %}
            {% if purpose not in ['marketing', 'service'] %}
                {% do problems.append(where ~ ': config.meta.purpose is ' ~ (purpose if purpose else 'missing')
                    ~ '; set `purpose: marketing` (promotions, consent required) or `purpose: service`') %}
            {% endif %}
            {% set template_columns = meta.get('template_columns') %}
            {% if template_columns is none or template_columns is string or template_columns is mapping %}
                {% do problems.append(where ~ ': config.meta.template_columns is '
                    ~ ('missing' if template_columns is none else 'not a list')
                    ~ '; list the columns templates may use, e.g. `template_columns: [first_name]` (or `[]`)') %}
            {% else %}
                {% for column in template_columns %}
                    {% if (column | string | lower) not in columns %}
                        {% do problems.append(where ~ ': template column `' ~ column
                            ~ '` is not a column of the YAML; add it under columns: or remove it from template_columns') %}
                    {% endif %}
                {% endfor %}
            {% endif %}
            {% if purpose == 'marketing' %}
                {% set channel = meta.get('channel') %}
                {% if not channel %}
                    {% do problems.append(where ~ ': a marketing segment needs config.meta.channel (e.g. `channel: whatsapp`), the channel its consent is checked on') %}
                {% endif %}
                {% set consent_tests = [] %}
                {% for test in graph.nodes.values() %}
                    {% if test.resource_type == 'test' and test.get('test_metadata')
                          and test.test_metadata.name == 'marketing_consent_granted'
                          and (test.get('attached_node') == node.unique_id or node.unique_id in test.depends_on.nodes) %}
                        {% do consent_tests.append(test.test_metadata.kwargs.get('channel', 'whatsapp')) %}
                    {% endif %}
                {% endfor %}
                {% if not consent_tests %}
                    {% do problems.append(where ~ ': a marketing segment needs the consent test; add under the model `data_tests: - marketing_consent_granted: {arguments: {channel: '
                        ~ (channel or 'whatsapp') ~ '}}`') %}
                {% elif channel and channel not in consent_tests %}
                    {% do problems.append(where ~ ': the marketing_consent_granted test checks channel ' ~ consent_tests | join(', ')
                        ~ ' but config.meta.channel is ' ~ channel ~ '; make them the same') %}
                {% endif %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {% if problems %}
        {{ exceptions.raise_compiler_error(
            "Segment contract not met (README \"Adding a segment\"):\n  - " ~ problems | join("\n  - ")
        ) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
