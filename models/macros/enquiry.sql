{#- Enquiry matching (seeds enquiry_keywords and ctwa_prefilled_messages; segments
    enquired_went_quiet and hot_leads), dispatched so the same models run on Spark. -#}

{# Text: fold_text(x, keep='%') (a `%` in a pattern is a LIKE wildcard), contains_words,
   regexp_found (macros/text.sql). #}

{# a conversion goal (a row `g` of fct_conversion_goals) that came after `since`: an
   order or a won deal between `since` and as_of(), or an appointment that starts after
   `since` (its row carries its start, not when it was booked, so one booked for next
   week is already a conversion) #}
{% macro enquiry_goal_after(g, since) -%}
    ({{ g }}.goal_at > {{ since }} and ({{ g }}.goal = 'appointment' or {{ g }}.goal_at <= {{ as_of() }}))
{%- endmacro %}
