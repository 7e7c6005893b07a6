{#- A model lands in the schema named by the top folder it lives in (staging,
    intermediate, marts, segments), seeds in `seeds`: the public contract names
    marts.* and segments.*. (With several model-paths, folder names are not part of a
    model's fqn, so dbt_project.yml cannot configure them by folder.) -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- elif node.resource_type == 'seed' -%}
        seeds
    {%- else -%}
        {%- set top = node.original_file_path.replace('\\', '/').split('/')[0] -%}
        {%- if top in ['staging', 'intermediate', 'marts', 'segments'] -%}{{ top }}{%- else -%}{{ target.schema }}{%- endif -%}
    {%- endif -%}
{%- endmacro %}
