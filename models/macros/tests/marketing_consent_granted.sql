{#- Generic test, required on every segment whose meta.purpose is marketing: every member
    has marketing consent granted now on the segment's channel (marts.dim_consent).
    Returns the members who do not (denied, or unknown: no row). Written at model level:

        data_tests:
          - marketing_consent_granted:
              arguments:
                channel: whatsapp
-#}
{% test marketing_consent_granted(model, channel='whatsapp', column_name='contact_id') %}
select m.{{ column_name }} as contact_id, coalesce(c.state, 'unknown') as consent_state
from {{ model }} m
left join {{ ref('dim_consent') }} c
  on c.contact_id = m.{{ column_name }}
 and c.purpose = 'marketing'
 and c.channel = '{{ channel }}'
where c.state is null or c.state <> 'granted'
{% endtest %}
