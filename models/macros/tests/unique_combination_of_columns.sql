{#- Generic test: no two rows share the same values in `combination_of_columns` (a list
    of column names), i.e. the columns together are the model's grain. Returns one row
    per duplicated combination with the number of rows holding it. Nulls count as a
    value (GROUP BY puts them in one group), so a key with a null part is still checked,
    unlike `unique` on a concatenated expression, which skips rows whose concatenation is
    null. Written at model level:

        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [conversation_id, period_number]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- if combination_of_columns is string or combination_of_columns | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "unique_combination_of_columns on " ~ model ~ ": combination_of_columns must be a "
        ~ "non-empty list of column names, got " ~ combination_of_columns
    ) }}
{%- endif -%}
{%- set columns = combination_of_columns | join(', ') -%}
select {{ columns }}, count(*) as duplicate_rows
from {{ model }}
group by {{ columns }}
having count(*) > 1
{% endtest %}
