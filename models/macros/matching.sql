{#- Text matching for consent keywords (models/seeds/consent_keywords.csv; docs/consent.md).

    fold_text(text): lower case, accents stripped, every run of characters that is not a
    letter or a digit (punctuation, emoji, spaces, line breaks) collapsed to one space,
    trimmed. "Basta, messaggi!! 🙏" → "basta messaggi"; "Não" → "nao"; "don't" → "don t".

    text_matches(folded, pattern, kind): on folded text and a folded pattern; kind
    'whole' = the whole message is the pattern, 'phrase' = the pattern's words appear
    together, as whole words, anywhere in the message ("stop" is not in "stoppa").
-#}
{% macro fold_text(text) -%}
    {{ return(adapter.dispatch('fold_text')(text)) }}
{%- endmacro %}

{% macro default__fold_text(text) -%}
    trim(regexp_replace(lower(strip_accents({{ text }})), '[^a-z0-9]+', ' ', 'g'))
{%- endmacro %}

{% macro spark__fold_text(text) -%}
    {#- Spark has no strip_accents: the accented letters of Italian, Portuguese, Spanish,
        French and German are translated one by one (lower-cased first) -#}
    trim(regexp_replace(
        translate(lower({{ text }}),
                  'àáâãäåèéêëìíîïòóôõöùúûüçñýÿ',
                  'aaaaaaeeeeiiiiooooouuuucnyy'),
        '[^a-z0-9]+', ' '))
{%- endmacro %}

{% macro text_matches(folded, pattern, kind) -%}
    case
        when {{ kind }} = 'whole' then {{ folded }} = {{ pattern }}
        when {{ kind }} = 'phrase' then {{ dbt.concat(["' '", folded, "' '"]) }} like {{ dbt.concat(["'% '", pattern, "' %'"]) }}
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
