-- Each identifier's current contact.
select node, contact_id
from {{ ref('int_contact_registry') }}
qualify row_number() over (partition by node order by valid_from desc, contact_id) = 1
