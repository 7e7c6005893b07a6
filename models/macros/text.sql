{#- Text folding and matching shared by every model that reads what people wrote
    (consent keywords, enquiries, preference statements, listing areas), written once
    for DuckDB (default__) and Spark (spark__). Patterns are POSIX-style classes with no
    backslash and no flag (Spark's SQL literals would need backslashes doubled).

    lower_unaccented(text): lower case, accents off, punctuation kept ("Città!" → "città!" → "citta!").
    fold_text(text, keep=''): lower case, accents off, every run of characters that is not
        a letter, a digit or one of `keep` (punctuation, emoji, spaces, line breaks) one
        space, trimmed. "Basta, messaggi!! 🙏" → "basta messaggi"; "Não" → "nao";
        "don't" → "don t"; with keep='%' a LIKE wildcard in a pattern survives.
    contains_words(folded, pattern): the folded pattern's words appear together, as whole
        words, in the folded text ("stop" is not in "stoppa"; `%` matches any run).
    regexp_found(text, pattern): the regular expression matches somewhere in the text.
    regexp_replace_all(text, pattern, replacement): every match replaced.
-#}
{% macro lower_unaccented(text) -%}
    {{ return(adapter.dispatch('lower_unaccented', 'threadline')(text)) }}
{%- endmacro %}
{% macro default__lower_unaccented(text) -%}
    strip_accents(lower({{ text }}))
{%- endmacro %}
{% macro spark__lower_unaccented(text) -%}
    {#- Spark has no strip_accents: the accented letters of Italian, Portuguese, Spanish,
        French and German are translated one by one -#}
    translate(lower({{ text }}), 'àáâãäåāèéêëēìíîïīòóôõöøōùúûüūçñýÿ', 'aaaaaaaeeeeeiiiiiooooooouuuuucnyy')
{%- endmacro %}

{% macro fold_text(text, keep='') -%}
    trim({{ regexp_replace_all(lower_unaccented(text), '[^a-z0-9' ~ keep ~ ']+', ' ') }})
{%- endmacro %}

{% macro contains_words(folded, pattern) -%}
    {{ dbt.concat(["' '", folded, "' '"]) }} like {{ dbt.concat(["'% '", pattern, "' %'"]) }}
{%- endmacro %}

{% macro regexp_found(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_found', 'threadline')(text, pattern)) }}
{%- endmacro %}
{% macro default__regexp_found(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regexp_found(text, pattern) -%}
    ({{ text }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro regexp_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'threadline')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
