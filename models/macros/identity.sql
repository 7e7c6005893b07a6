{#- A contact's id is derived from its identity key (for now the E.164 phone number, or
    the e-mail when there is no phone), so it is stable across runs and rebuilds. -#}
{% macro contact_id_from_key(key) -%}
    case when {{ key }} is not null then 'ct_' || left(md5({{ key }}), 16) end
{%- endmacro %}

{% macro identity_key(phone_e164, email) -%}
    coalesce({{ phone_e164 }}, case when {{ email }} is not null and {{ email }} like '%@%' then 'email:' || lower(trim({{ email }})) end)
{%- endmacro %}
