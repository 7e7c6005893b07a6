{#- Incremental staging of append-only raw tables.

    Raw tables only grow, and every row carries the `ingested_at` of its batch. An
    incremental staging model reads only the batches newer than the newest it holds
    (`where {{ new_batches_only() }}` in its import CTE), then replaces the rows of the keys
    those batches touch (`delete+insert` on the model's unique key). Duplicates are
    resolved by content (a hash of the payload), never by arrival order, so the table is
    the same whether it was built at once or batch by batch (tests/test_incremental_build.py). -#}

{#- True when this model already holds batches (an incremental run on a table that has
    `ingested_at`; a table built before it had one is rebuilt whole, key by key). -#}
{% macro holds_batches(column='ingested_at') -%}
    {%- if not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {{ return(column in names) }}
{%- endmacro %}

{% macro new_batches_only(column='ingested_at') -%}
    {%- if holds_batches(column) -%}
        {{ column }} > (select coalesce(max({{ column }}), cast('1900-01-01' as timestamp)) from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The rows this model already holds for the keys of `new_rows` (a CTE name), shaped like
    the new rows, so the winner per key is chosen among old and new alike. Empty on a
    full build. -#}
{% macro rows_held_for_keys(new_rows, keys) -%}
    {%- if holds_batches() -%}
        select held.* from {{ this }} as held
        where ({{ keys | join(', ') }}) in (select {{ keys | join(', ') }} from {{ new_rows }})
    {%- else -%}
        select * from {{ new_rows }} where false
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of the incremental staging models: a table built before the model was
    incremental (no `ingested_at`) is emptied, so this run refills it whole. -#}
{% macro drop_rows_without_batches() -%}
    {%- if is_incremental() and not holds_batches() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
