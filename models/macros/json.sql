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

{#- Many fields of one JSON column, parsed once per row: `relation`'s columns plus one
    text column per entry of `fields` (output name -> JSON path), with the semantics of
    json_text. Use it as the body of an "extracted" CTE right after the import CTE:

        extracted as (
            {{ json_fields('source', 'payload', {'j_id': '$.id', 'j_type': '$.type'}) }}
        ),

    (json_text on each field parses the whole document once per call; with twenty
    fields from a 2 KB webhook body that is most of a staging model's time.) -#}
{% macro json_fields(relation, column, fields) -%}
    {{ return(adapter.dispatch('json_fields', 'threadline')(relation, column, fields)) }}
{%- endmacro %}
{% macro default__json_fields(relation, column, fields) -%}
    select
        * exclude (_json_fields),
        {%- for name in fields %}
        _json_fields[{{ loop.index }}] as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            json_extract_string({{ column }}, [
                {%- for path in fields.values() %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
            ]) as _json_fields
        from {{ relation }}
    ) as with_json_fields
{%- endmacro %}
{% macro spark__json_fields(relation, column, fields) -%}
    select
        *,
        {%- for name, path in fields.items() %}
        get_json_object({{ column }}, '{{ path }}') as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{#- The items of a JSON array at `path`, one row each, as JSON text: use it as a
    select-list expression (`select ..., json_array_items('value', '$.errors') as item`),
    which repeats the row once per item and drops rows with no array. -#}
{% macro json_array_items(column, path) -%}
    {{ return(adapter.dispatch('json_array_items', 'threadline')(column, path)) }}
{%- endmacro %}
{% macro default__json_array_items(column, path) -%}
    unnest(cast(json_extract({{ column }}, '{{ path }}') as json[]))
{%- endmacro %}
{% macro spark__json_array_items(column, path) -%}
    explode(from_json(get_json_object({{ column }}, '{{ path }}'), 'array<string>'))
{%- endmacro %}
