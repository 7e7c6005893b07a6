{#- JSON access goes through these macros so that the same models can run on another
    engine (Spark: get_json_object) by adding a dispatch implementation. -#}

{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'threadline')(column, path)) }}
{%- endmacro %}
{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}
{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro json_part(column, path) -%}
    {{ return(adapter.dispatch('json_part', 'threadline')(column, path)) }}
{%- endmacro %}
{% macro default__json_part(column, path) -%}
    json_extract({{ column }}, '{{ path }}')
{%- endmacro %}
{% macro spark__json_part(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}
