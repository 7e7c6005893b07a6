{#- Helpers of the lifecycle and segment models (intermediate/int_contact_lifecycle and
    models/segments/). Plain SQL (lower, like, replace, ||), so they run on any engine. -#}

{# true when the text `expr` contains any of `words` (case ignored) #}
{% macro keyword_match(expr, words) -%}
    ({% for word in words %}coalesce(lower({{ expr }}), '') like '%{{ word | lower }}%'{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{# true when the comma-separated label list `labels_expr` (fct_conversations.labels) holds
   any of `labels` (case and spaces ignored) #}
{% macro label_match(labels_expr, labels) -%}
    ({% for label in labels %}(',' || replace(coalesce(lower({{ labels_expr }}), ''), ' ', '') || ',') like '%,{{ label | lower }},%'{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{# the orders the segments count: fct_orders' non-cancelled orders of a known contact,
   placed up to as_of() (a replay with as_of pinned in the past ignores later ones) #}
{% macro segment_orders() -%}
    select * from {{ ref('fct_orders') }}
    where status <> 'cancelled'
      and contact_id is not null
      and ordered_at <= {{ as_of() }}
{%- endmacro %}

{# the contacts whose consent for `purpose` on `channel` is granted now (marts.dim_consent):
   the members a marketing segment may keep (its marketing_consent_granted test checks it) #}
{% macro consented_contacts(channel='whatsapp', purpose='marketing') -%}
    select contact_id from {{ ref('dim_consent') }}
    where purpose = '{{ purpose }}' and channel = '{{ channel }}' and state = 'granted'
{%- endmacro %}
