{{ config(meta={"dagster": {"ref": {"name": "messaging_rate_card"}}}) }}
-- The rate card is in one currency (Meta bills a business in its account's currency):
-- costs are summed across countries and categories, so two currencies would add up
-- euros and dollars. Fails with one row per currency when there are several.
select currency, count(*) as prices
from {{ ref('messaging_rate_card') }}
group by currency
having (select count(distinct currency) from {{ ref('messaging_rate_card') }}) > 1
