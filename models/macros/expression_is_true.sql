{#- Generic test: every row (optionally of a subset) satisfies a SQL expression, e.g.
    "first_response_business_seconds <= first_response_seconds". On a column, the
    expression may use the column by name. -#}
{% test expression_is_true(model, expression, column_name=none, where=none) %}
select *
from {{ model }}
where {% if where %}({{ where }}) and {% endif %}not ({{ expression }})
{% endtest %}
