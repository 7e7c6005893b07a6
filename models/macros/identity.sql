{#- Identity resolution works on typed identifier strings ("nodes"):
    phone:+393471234567, email:giulia@example.it, instagram:<IGSID>, messenger:<PSID>,
    chatwoot:<account>:<contact id>, hubspot:<id>, shopify:<customer id>, webchat:<site>:<visitor>.
    People are the connected components of the graph of identifiers seen together. -#}

{% macro phone_node(e164) -%}
    case when {{ e164 }} is not null then 'phone:' || {{ e164 }} end
{%- endmacro %}

{% macro email_node(email) -%}
    case when lower(trim({{ email }})) like '%_@_%._%' then 'email:' || lower(trim({{ email }})) end
{%- endmacro %}

{% macro prefixed_node(prefix, value) -%}
    case when nullif(trim(cast({{ value }} as varchar)), '') is not null
        then '{{ prefix }}:' || trim(cast({{ value }} as varchar)) end
{%- endmacro %}

{# The current contact of an identifier node (null when the node is unknown). #}
{% macro contact_of(node) -%}
    (select ci.contact_id from {{ ref('int_contact_ids') }} ci where ci.node = {{ node }})
{%- endmacro %}

{# The contact shown by a phone (E.164) or, failing that, an e-mail. #}
{% macro contact_of_phone_or_email(e164, email) -%}
    {{ contact_of('coalesce(' ~ phone_node(e164) ~ ', ' ~ email_node(email) ~ ')') }}
{%- endmacro %}
