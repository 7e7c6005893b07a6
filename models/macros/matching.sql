{#- Text matching for consent keywords (models/seeds/consent_keywords.csv; docs/consent.md).

    Text is folded with fold_text (macros/text.sql).

    text_matches(folded, pattern, kind): on folded text and a folded pattern; kind
    'whole' = the whole message is the pattern, 'phrase' = the pattern's words appear
    together, as whole words, anywhere in the message ("stop" is not in "stoppa").
-#}
{% macro text_matches(folded, pattern, kind) -%}
    case
        when {{ kind }} = 'whole' then {{ folded }} = {{ pattern }}
        when {{ kind }} = 'phrase' then {{ contains_words(folded, pattern) }}
        else false
    end
{%- endmacro %}

{#- HubSpot consent property values (text) → boolean / granted|denied; anything else null -#}
{% macro hubspot_flag(value) -%}
    case
        when lower(trim({{ value }})) in ('true', 'yes', '1', 'si', 'sì') then true
        when lower(trim({{ value }})) in ('false', 'no', '0') then false
    end
{%- endmacro %}

{% macro hubspot_consent_state(value) -%}
    case
        when lower(trim({{ value }})) in ('granted', 'opted_in', 'opt_in', 'opt-in', 'subscribed', 'true', 'yes', 'si', 'sì') then 'granted'
        when lower(trim({{ value }})) in ('denied', 'opted_out', 'opt_out', 'opt-out', 'unsubscribed', 'false', 'no') then 'denied'
    end
{%- endmacro %}

{#- The words of folded text, one row each (a generator in a select list) -#}
{% macro split_words(folded) -%}
    {{ return(adapter.dispatch('split_words')(folded)) }}
{%- endmacro %}

{% macro default__split_words(folded) -%}
    unnest(string_split({{ folded }}, ' '))
{%- endmacro %}

{% macro spark__split_words(folded) -%}
    explode(split({{ folded }}, ' '))
{%- endmacro %}

{#- The first word of folded text -#}
{% macro first_word(folded) -%}
    {{ return(adapter.dispatch('first_word')(folded)) }}
{%- endmacro %}

{% macro default__first_word(folded) -%}
    split_part({{ folded }}, ' ', 1)
{%- endmacro %}

{% macro spark__first_word(folded) -%}
    substring_index({{ folded }}, ' ', 1)
{%- endmacro %}

{#- `name as {{ materialized_cte() }} (...)`: compute a CTE read several times once
    (DuckDB and Postgres `as materialized`; Spark has no such hint) -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}
