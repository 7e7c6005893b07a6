{#- Generic test: every row (optionally of a subset) satisfies a SQL expression, e.g.
    "first_response_business_seconds <= first_response_seconds". -#}
{% test expression_is_true(model, expression, where=none) %}
select *
from {{ model }}
where {% if where %}({{ where }}) and {% endif %}not ({{ expression }})
{% endtest %}
