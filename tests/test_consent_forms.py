"""Web-form consent exports (landing/consent/, pipelines/ingest/consent_forms.py): CSV and
JSONL rows load, bad rows are quarantined with their reason, a replay loads nothing."""

from __future__ import annotations

from datetime import datetime

from pipelines.ingest import consent_forms
from pipelines.settings import Paths
from pipelines.warehouse import connect

CSV = """submission_id;telefono;email;finalità;canale;consenso;data;modulo;testo
f-1;+39 347 111 2201;;marketing;WhatsApp;si;2026-11-20 10:15;newsletter;Voglio ricevere offerte su WhatsApp
f-2;;Anna@Example.it;;email;opt-out;2026-11-20T09:00:00Z;preferenze;
f-3;;;marketing;whatsapp;si;2026-11-20 10:15;newsletter;
f-4;+39 347 111 2202;;marketing;whatsapp;forse;2026-11-20 10:15;newsletter;
f-5;+39 347 111 2203;;marketing;whatsapp;si;ieri;newsletter;
f-6;+39 347 111 2204;;sales;whatsapp;si;2026-11-20 10:15;newsletter;
f-7;+39 347 111 2205;;marketing;;si;2026-11-20 10:15;newsletter;
"""

JSONL = "\n".join([
    '{"phone": "+393471112206", "channel": "sms", "state": "granted", "occurred_at": "2026-11-21T08:00:00+01:00",'
    ' "form_name": "checkout-sms", "wording": "Send me offers by SMS"}',
    '{"email": "luca@example.it", "channel": "email", "state": true, "purpose": "service",'
    ' "occurred_at": "2026-11-21T08:00:00+01:00"}',
    "not json",
    '["a list"]',
]) + "\n"


def test_forms_load_and_bad_rows_are_quarantined(home: Paths) -> None:
    folder = home.landing / "consent" / "2026-11-21"
    folder.mkdir(parents=True)
    (folder / "newsletter.csv").write_text(CSV, encoding="utf-8")
    (folder / "site.jsonl").write_bytes(
        JSONL.encode() + b'{"phone": "+393471112207", "channel": "email", "state": "s\xec"}\n')

    con = connect(home.warehouse)
    try:
        result = consent_forms.ingest(con, home.landing)
        rows = con.execute(
            "select submission_id, phone, email, purpose, channel, state, occurred_at, form_name "
            "from raw.consent_forms order by file, line_no"
        ).fetchall()
        reasons = dict(con.execute(
            "select file || ':' || line_no, reason from raw.rejected_records where source = 'consent_forms'"
        ).fetchall())
        replay = consent_forms.ingest(con, home.landing)
    finally:
        con.close()

    assert rows == [
        ("f-1", "+39 347 111 2201", None, "marketing", "whatsapp", "granted",
         datetime(2026, 11, 20, 9, 15), "newsletter"),
        ("f-2", None, "anna@example.it", "marketing", "email", "denied",
         datetime(2026, 11, 20, 9, 0), "preferenze"),
        (None, "+393471112206", None, "marketing", "sms", "granted",
         datetime(2026, 11, 21, 7, 0), "checkout-sms"),
        (None, None, "luca@example.it", "service", "email", "granted",
         datetime(2026, 11, 21, 7, 0), None),
    ]
    csv_name, jsonl_name = "consent/2026-11-21/newsletter.csv", "consent/2026-11-21/site.jsonl"
    assert reasons == {
        f"{csv_name}:4": "no phone and no email",
        f"{csv_name}:5": "state must be granted or denied, not 'forse'",
        f"{csv_name}:6": "unreadable occurred_at 'ieri'",
        f"{csv_name}:7": "purpose must be marketing or service, not 'sales'",
        f"{csv_name}:8": "no channel",
        f"{jsonl_name}:3": "not JSON (Expecting value)",
        f"{jsonl_name}:4": "not a consent statement (not a JSON object)",
        f"{jsonl_name}:5": "line is not valid UTF-8 (byte 0xec at offset 58)",
    }
    assert (result.lines, result.rejected) == (12, 8)
    assert replay.files == 0
