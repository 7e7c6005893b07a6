{# ISO day of the week of a date: 1 = Monday ... 7 = Sunday #}
{% macro iso_weekday(day) -%}
    {{ return(adapter.dispatch('iso_weekday', 'threadline')(day)) }}
{%- endmacro %}
{% macro default__iso_weekday(day) -%}
    isodow({{ day }})
{%- endmacro %}
{% macro spark__iso_weekday(day) -%}
    (mod(dayofweek({{ day }}) + 5, 7) + 1)
{%- endmacro %}
