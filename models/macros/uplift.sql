{#- The uplift of a campaign variant against its holdout: a difference of two
    proportions (conversion rates) with a confidence interval (marts.kpi_campaign_funnel).
    Plain arithmetic and sqrt only, so the same SQL runs on DuckDB and Spark. -#}

{# The two-sided standard normal quantile of a confidence level: the campaigns' YAML
   accepts 0.90, 0.95 and 0.99 (senders/campaign.py Uplift); any other level gives null. #}
{% macro z_for_confidence(confidence) -%}
    case
        when abs({{ confidence }} - 0.90) < 1e-9 then 1.6448536269514722
        when abs({{ confidence }} - 0.95) < 1e-9 then 1.959963984540054
        when abs({{ confidence }} - 0.99) < 1e-9 then 2.5758293035489004
    end
{%- endmacro %}

{# Wilson's score interval of a proportion x / n at quantile z: the bound `side`
   ('lower' or 'upper'); null when n is 0.
   (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) #}
{% macro wilson_bound(x, n, z, side) -%}
    {%- set sign = '-' if side == 'lower' else '+' -%}
    {%- set n = 'cast(nullif(' ~ n ~ ', 0) as double)' -%}
    {%- set p = '(cast(' ~ x ~ ' as double) / ' ~ n ~ ')' -%}
    (
        ({{ p }} + ({{ z }}) * ({{ z }}) / (2.0 * {{ n }})
         {{ sign }} ({{ z }}) * sqrt({{ p }} * (1 - {{ p }}) / {{ n }} + ({{ z }}) * ({{ z }}) / (4.0 * {{ n }} * {{ n }})))
        / (1 + ({{ z }}) * ({{ z }}) / {{ n }})
    )
{%- endmacro %}

{# Newcombe's hybrid score interval (Newcombe 1998, method 10) of p1 - p2, p1 = x1 / n1
   (the variant), p2 = x2 / n2 (the holdout), from the Wilson intervals (l1, u1) and
   (l2, u2) of each proportion:
     lower = (p1 - p2) - sqrt((p1 - l1)² + (u2 - p2)²)
     upper = (p1 - p2) + sqrt((u1 - p1)² + (p2 - l2)²)
   `side` is 'lower' or 'upper'; null when either group is empty. #}
{% macro newcombe_wilson_bound(x1, n1, x2, n2, z, side) -%}
    {%- set p1 = '(cast(' ~ x1 ~ ' as double) / nullif(' ~ n1 ~ ', 0))' -%}
    {%- set p2 = '(cast(' ~ x2 ~ ' as double) / nullif(' ~ n2 ~ ', 0))' -%}
    {%- if side == 'lower' -%}
        {%- set a = '(' ~ p1 ~ ' - ' ~ wilson_bound(x1, n1, z, 'lower') ~ ')' -%}
        {%- set b = '(' ~ wilson_bound(x2, n2, z, 'upper') ~ ' - ' ~ p2 ~ ')' -%}
        ({{ p1 }} - {{ p2 }} - sqrt({{ a }} * {{ a }} + {{ b }} * {{ b }}))
    {%- else -%}
        {%- set a = '(' ~ wilson_bound(x1, n1, z, 'upper') ~ ' - ' ~ p1 ~ ')' -%}
        {%- set b = '(' ~ p2 ~ ' - ' ~ wilson_bound(x2, n2, z, 'lower') ~ ')' -%}
        ({{ p1 }} - {{ p2 }} + sqrt({{ a }} * {{ a }} + {{ b }} * {{ b }}))
    {%- endif -%}
{%- endmacro %}

{# The uplift interval's bound by the campaign's method (stg_senders__campaigns
   uplift_method) at quantile z (z_for_confidence); a method this project does not
   implement gives null. #}
{% macro uplift_bound(method, x1, n1, x2, n2, z, side) -%}
    case
        when {{ method }} = 'newcombe_wilson'
            then {{ newcombe_wilson_bound(x1, n1, x2, n2, z, side) }}
    end
{%- endmacro %}
