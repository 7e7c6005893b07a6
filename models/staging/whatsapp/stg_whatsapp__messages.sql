-- One row per WhatsApp message received (by wamid), whatever its type. Incremental
-- (macros/incremental.sql): new raw batches only; a wamid seen again competes with the
-- row already held.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['message_id'],
    on_schema_change='sync_all_columns',
    pre_hook="{{ drop_rows_without_batches() }}",
) }}

with

source as (
    select * from {{ source('raw', 'whatsapp_messages') }}
    where {{ new_batches_only() }}
),

extracted as (
    {{ json_fields('source', 'message', {
        'j_timestamp': '$.timestamp',
        'j_id': '$.id',
        'j_from': '$.from',
        'j_context_id': '$.context.id',
        'j_type': '$.type',
        'j_text_body': '$.text.body',
        'j_button_text': '$.button.text',
        'j_interactive_button_reply_title': '$.interactive.button_reply.title',
        'j_interactive_list_reply_title': '$.interactive.list_reply.title',
        'j_image_caption': '$.image.caption',
        'j_video_caption': '$.video.caption',
        'j_document_caption': '$.document.caption',
        'j_document_filename': '$.document.filename',
        'j_location_name': '$.location.name',
        'j_reaction_emoji': '$.reaction.emoji',
        'j_order_text': '$.order.text',
        'j_button_payload': '$.button.payload',
        'j_interactive_button_reply_id': '$.interactive.button_reply.id',
        'j_interactive_list_reply_id': '$.interactive.list_reply.id',
        'j_referral_source_id': '$.referral.source_id',
        'j_referral_source_type': '$.referral.source_type',
        'j_referral_source_url': '$.referral.source_url',
        'j_referral_headline': '$.referral.headline',
        'j_referral_ctwa_clid': '$.referral.ctwa_clid',
        'j_errors_0_code': '$.errors[0].code',
    }) }}
),

renamed as (
    select
        -- ids
        j_id as message_id,
        waba_id,
        phone_number_id,
        display_phone_number,
        j_from as from_wa_id,
        j_context_id as context_message_id,
        {{ json_text('contacts', '$[0].profile.name') }} as profile_name,

        -- what was sent
        j_type as message_type,
        coalesce(
            j_text_body,
            j_button_text,
            j_interactive_button_reply_title,
            j_interactive_list_reply_title,
            j_image_caption,
            j_video_caption,
            j_document_caption,
            j_document_filename,
            j_location_name,
            j_reaction_emoji,
            j_order_text
        ) as body,
        coalesce(
            j_button_payload,
            j_interactive_button_reply_id,
            j_interactive_list_reply_id
        ) as reply_payload,

        -- click-to-WhatsApp ads
        j_referral_source_id as referral_source_id,
        j_referral_source_type as referral_source_type,
        j_referral_source_url as referral_source_url,
        j_referral_headline as referral_headline,
        j_referral_ctwa_clid as ctwa_clid,

        -- errors on the message or on the change that carried it
        cast(coalesce(
            j_errors_0_code,
            {{ json_text('change_errors', '$[0].code') }}
        ) as integer) as error_code,

        -- timestamps
        {{ from_unix_seconds('j_timestamp') }} as sent_at,

        md5(cast(message as varchar)) as payload_hash,
        ingested_at
    from extracted
),

candidates as (
    select * from renamed
    union all
    {{ rows_held_for_keys('renamed', ['message_id']) }}
),

deduplicated as (
    -- Meta delivers at least once: the same wamid may arrive several times
    select *
    from candidates
    qualify row_number() over (partition by message_id order by payload_hash) = 1
)

select * from deduplicated
