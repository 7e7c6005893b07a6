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

{# The shared inbox's contact (an account's contacts are numbered on their own; a
   payload without its account is the first account's, as Chatwoot numbers them). #}
{% macro chatwoot_contact_node(account_id, contact_id) -%}
    case when {{ contact_id }} is not null
        then 'chatwoot:' || coalesce(cast({{ account_id }} as varchar), '1') || ':' || cast({{ contact_id }} as varchar) end
{%- endmacro %}

{# Record ids of the shared inbox's records (int_identity_records' keys). #}
{% macro chatwoot_message_record_id(account_id, message_id) -%}
    'cw_msg:' || coalesce(cast({{ account_id }} as varchar), '1') || ':' || cast({{ message_id }} as varchar)
{%- endmacro %}

{% macro chatwoot_event_record_id(account_id, conversation_id, occurred_at) -%}
    'cw_conv:' || coalesce(cast({{ account_id }} as varchar), '1') || ':' || cast({{ conversation_id }} as varchar)
        || ':' || cast({{ occurred_at }} as varchar)
{%- endmacro %}

{% macro chatwoot_contact_record_id(account_id, contact_id, updated_at) -%}
    'cw_contact:' || coalesce(cast({{ account_id }} as varchar), '1') || ':' || cast({{ contact_id }} as varchar) || ':'
        || coalesce(cast({{ updated_at }} as varchar), '')
{%- endmacro %}

{# The record id of a campaign send (one audience member of one run: the send ledger's key). #}
{% macro send_record_id(ledger) -%}
    'send:' || {{ ledger }}.campaign_id || ':' || {{ ledger }}.run_id || ':' || {{ ledger }}.contact_id
{%- endmacro %}

{# The record kinds' precedence when a record's identifiers disagree (int_record_contacts):
   a phone, then an e-mail, then an account on a messaging channel, then a shop or CRM id. #}
{% macro node_precedence(node) -%}
    case
        when {{ node }} like 'phone:%' then 1
        when {{ node }} like 'email:%' then 2
        when {{ node }} like 'shopify:%' or {{ node }} like 'woocommerce:%' or {{ node }} like 'hubspot:%' then 4
        else 3
    end
{%- endmacro %}
