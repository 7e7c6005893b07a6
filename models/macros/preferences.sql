{#- Text rules of the preference match (estate agent: rooms, area, budget, sale or rent),
    written once for DuckDB (default__) and Spark (spark__).

    Patterns are plain POSIX-style classes ([0-9], [^a-z]) with no backslash (Spark's SQL
    literals would need it doubled) and no flag (the text is folded to lower case first);
    regexp_extract(text, pattern, group) is the same function on both engines, and
    returns '' when nothing matches. The rules themselves are described in
    intermediate/int_preference_statements.yml. -#}

{# text helpers (lower_unaccented, fold_text, regexp_found, regexp_replace_all): macros/text.sql #}

{#- ---- rooms ------------------------------------------------------------------------ -#}

{# what a number of rooms is counted in; camere / bedrooms count one more (the living room) #}
{% macro preference_room_unit() -%}
    (camere da letto|camere|camera|bedrooms|bedroom|beds|bed|locali|locale|vani|vano|stanze|stanza|rooms|room)
{%- endmacro %}

{# folded text with the room words turned into numbers: "bilocale" -> "2 locali",
   "trilo" -> "3 locali", "una camera" -> "1 camere", "due" / "two" -> "2" (1 to 5) #}
{% macro preference_room_words(expr) -%}
    {%- set rules = [
        ('monolocal[ei]', '1 locali'), ('bilocal[ei]', '2 locali'), ('trilocal[ei]', '3 locali'),
        ('quadrilocal[ei]', '4 locali'), ('pentalocal[ei]', '5 locali'),
        ('(^|[^a-z])bilo([^a-z]|$)', ' 2 locali '), ('(^|[^a-z])trilo([^a-z]|$)', ' 3 locali '),
        ('(^|[^a-z])(una|one|a) (camera|bedroom)([^a-z]|$)', ' 1 camere '),
        ('(^|[^a-z])(due|two)([^a-z]|$)', ' 2 '), ('(^|[^a-z])(tre|three)([^a-z]|$)', ' 3 '),
        ('(^|[^a-z])(quattro|four)([^a-z]|$)', ' 4 '), ('(^|[^a-z])(cinque|five)([^a-z]|$)', ' 5 '),
    ] -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for pattern, replacement in rules -%}
        {%- set ns.sql = regexp_replace_all(ns.sql, pattern, replacement) -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{# "2 o 3 locali", "2-3 camere", "da 2 a 3 locali": groups 1 (low), 2 (high), 3 (unit) #}
{% macro preference_rooms_range_pattern() -%}
    (?:^|[^0-9.,])([1-9]) ?(?:-|/|o|oppure|or|to|a|e|and) ?([1-9])[ -]?{{ preference_room_unit() }}
{%- endmacro %}

{# "2 locali o 3 locali" (what "bilocale o trilocale" becomes): groups 1, 2 (unit), 3, 4 (unit) #}
{% macro preference_rooms_pair_pattern() -%}
    (?:^|[^0-9.,])([1-9]) ?{{ preference_room_unit() }} ?(?:o|oppure|or|e|and|/|-) ?([1-9]) ?{{ preference_room_unit() }}
{%- endmacro %}

{# "almeno 3 locali", "at least 2 bedrooms": groups 1 (number), 2 (unit) #}
{% macro preference_rooms_at_least_pattern() -%}
    (?:almeno|minimo|min|at least|non meno di)(?: un| una| a)? ?([1-9])[ -]?{{ preference_room_unit() }}
{%- endmacro %}

{# "3 locali", "3+ locali", "3 locali o piu": groups 1 (number), 2 (a +), 3 (unit), 4 (or more) #}
{% macro preference_rooms_single_pattern() -%}
    (?:^|[^0-9.,])([1-9])[ -]?([+] ?)?{{ preference_room_unit() }}( ?[+]| o piu| or more| e oltre| in su| almeno| minimo)?
{%- endmacro %}

{# a number of rooms counted in `unit` as locali (camere / bedrooms + 1) #}
{% macro preference_rooms_as_locali(number, unit) -%}
    case when {{ number }} <> '' then cast({{ number }} as integer)
        + case when {{ unit }} like 'camer%' or {{ unit }} like 'bed%' then 1 else 0 end end
{%- endmacro %}

{#- ---- budget ----------------------------------------------------------------------- -#}

{# a written number: digits, with "." or "," grouping thousands or starting the cents #}
{% macro preference_number_pattern() -%}
    [0-9]+(?:[.,][0-9]+)*
{%- endmacro %}

{# what may follow an amount: multipliers, currency, or a unit that says it is no amount #}
{% macro preference_amount_unit() -%}
    (mln|milioni|milione|million|mila|euro|eur|€|k|mq|m2|metri|m|locali|vani|camere|stanze|rooms|bedrooms|piani|piano|anni|giorni|mesi)
{%- endmacro %}

{# a maximum: "budget 300.000", "max 350k", "fino a 480.000 €", "sotto i 250 mila":
   groups 1 (number), 2 (unit) #}
{% macro preference_budget_max_pattern() -%}
    (?:budget|budjet|massimo|massimi|max|fino a|fino ai|fino al|entro|sotto|non oltre|non piu di|tetto|spendere|up to|under|below|at most|no more than|maximum)(?:[ :]+(?:di|i|ai|al|a|il|the|of|massimo|max|circa|sui|sugli|intorno|around|about))*[ :]*(?:€ ?)?({{ preference_number_pattern() }})(?: ?{{ preference_amount_unit() }})?(?:[^a-z0-9]|$)
{%- endmacro %}

{# a range: "tra 250 e 300 mila", "da 300.000 a 350.000 €", "between 300k and 350k":
   groups 1 (low), 2 (its unit), 3 (high), 4 (its unit) #}
{% macro preference_budget_range_pattern() -%}
    (?:tra|between|da|from) (?:€ ?)?({{ preference_number_pattern() }})(?: ?{{ preference_amount_unit() }})? ?(?:e|and|a|to|-) ?(?:€ ?)?({{ preference_number_pattern() }})(?: ?{{ preference_amount_unit() }})?(?:[^a-z0-9]|$)
{%- endmacro %}

{# the number a written amount stands for (double), NULL when it is not one:
   "250.000" and "250,000" -> 250000, "1.250.000,00" -> 1250000, "1,2" -> 1.2 #}
{% macro preference_number(text) -%}
    case
        when {{ regexp_found(text, '^[0-9]{1,3}([.,][0-9]{3})+$') }}
            then cast({{ regexp_replace_all(text, '[.,]', '') }} as double)
        when {{ regexp_found(text, '^[0-9]{1,3}([.,][0-9]{3})+[.,][0-9]{1,2}$') }}
            then cast({{ regexp_replace_all(regexp_replace_all(text, '[.,][0-9]{1,2}$', ''), '[.,]', '') }} as double)
        when {{ regexp_found(text, '^[0-9]+([.,][0-9]{1,2})?$') }}
            then cast(replace({{ text }}, ',', '.') as double)
    end
{%- endmacro %}

{# euros of a written number followed by `unit` ("350" "k" -> 350000); NULL when the unit
   says it is a surface, rooms, floors or time #}
{% macro preference_amount(number, unit) -%}
    case
        when {{ unit }} in ('k', 'mila') then {{ preference_number(number) }} * 1000
        when {{ unit }} in ('m', 'mln', 'milioni', 'milione', 'million') then {{ preference_number(number) }} * 1000000
        when {{ unit }} in ('', 'euro', 'eur', '€') then {{ preference_number(number) }}
    end
{%- endmacro %}

{# a stated amount as a budget: for a purchase, "350" means 350 thousand (under 2,000 is
   read in thousands), and 2,000 to 20,000 or under 20 is no purchase budget; for a rent,
   100 to 20,000 a month #}
{% macro preference_budget(amount, contract) -%}
    case
        when {{ contract }} = 'rent' then case when {{ amount }} >= 100 and {{ amount }} < 20000 then {{ amount }} end
        when {{ amount }} >= 20000 then {{ amount }}
        when {{ amount }} >= 20 and {{ amount }} < 2000 then {{ amount }} * 1000
    end
{%- endmacro %}

{#- ---- what kind of statement -------------------------------------------------------- -#}

{# sale or rent: the words of a rent first, then those of a purchase, then a monthly amount #}
{% macro preference_rent_pattern() -%}
    (affitt|locazione|(^|[^a-z])rent([^a-z]|$)|renting|to let|for let)
{%- endmacro %}

{% macro preference_monthly_pattern() -%}
    (al mese|mensil|/mese|a month|per month|monthly)
{%- endmacro %}

{% macro preference_sale_pattern() -%}
    (compra|acquist|in vendita|(^|[^a-z])buy([^a-z]|$)|buying|purchase|mutuo|rogito)
{%- endmacro %}

{# a seller describing their own home, or asking for a valuation: no search stated #}
{% macro preference_seller_pattern() -%}
    (vendere|vendo|vendiamo|valutazione|valutare|quanto vale|ereditato|sell my|selling my|valuation)
{%- endmacro %}
