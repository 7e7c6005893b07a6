{#- Enquiry matching (seeds enquiry_keywords and ctwa_prefilled_messages; segments
    enquired_went_quiet and hot_leads), dispatched so the same models run on Spark. -#}

{# text -> its folded form: lower case, accents stripped, every run of characters other
   than letters, digits and `%` turned into one space, trimmed.
   "Posso venire a vedere l’appartamento?" -> "posso venire a vedere l appartamento" #}
{% macro enquiry_fold(expr) -%}
    {{ return(adapter.dispatch('enquiry_fold', 'threadline')(expr)) }}
{%- endmacro %}
{% macro default__enquiry_fold(expr) -%}
    trim(regexp_replace(strip_accents(lower({{ expr }})), '[^a-z0-9%]+', ' ', 'g'))
{%- endmacro %}
{% macro spark__enquiry_fold(expr) -%}
    trim(regexp_replace(
        translate(lower({{ expr }}), 'àáâãäåāèéêëēìíîïīòóôõöøōùúûüūçñýÿ', 'aaaaaaaeeeeeiiiiiooooooouuuuucnyy'),
        '[^a-z0-9%]+', ' '
    ))
{%- endmacro %}

{# a folded text contains a folded pattern as whole words (`%` in the pattern matches
   any run of characters) #}
{% macro enquiry_matches(folded_text, folded_pattern) -%}
    {{ dbt.concat(["' '", folded_text, "' '"]) }} like {{ dbt.concat(["'% '", folded_pattern, "' %'"]) }}
{%- endmacro %}

{# a regular expression (no flags) found anywhere in a text #}
{% macro enquiry_regex_found(expr, regex) -%}
    {{ return(adapter.dispatch('enquiry_regex_found', 'threadline')(expr, regex)) }}
{%- endmacro %}
{% macro default__enquiry_regex_found(expr, regex) -%}
    regexp_matches({{ expr }}, '{{ regex }}')
{%- endmacro %}
{% macro spark__enquiry_regex_found(expr, regex) -%}
    ({{ expr }} rlike '{{ regex }}')
{%- endmacro %}

{# a conversion goal (a row `g` of fct_conversion_goals) that came after `since`: an
   order or a won deal between `since` and as_of(), or an appointment that starts after
   `since` (its row carries its start, not when it was booked, so one booked for next
   week is already a conversion) #}
{% macro enquiry_goal_after(g, since) -%}
    ({{ g }}.goal_at > {{ since }} and ({{ g }}.goal = 'appointment' or {{ g }}.goal_at <= {{ as_of() }}))
{%- endmacro %}
