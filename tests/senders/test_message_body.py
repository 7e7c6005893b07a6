"""Template message bodies: what senders.message_body builds, and the simulator's checks
of every component against the template, over real HTTP with bodies written by hand in
the shape Meta documents (cloud-api/guides/send-message-templates)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from senders.message_body import (
    body_component,
    button_component,
    header_media_component,
    header_text_component,
    template_message,
)
from senders.simulator import CloudApiSimulator

MESSAGES = "/v23.0/1122334455667/messages"
TO = "+393331234501"


def send(sim: CloudApiSimulator, body: Any) -> httpx.Response:
    return httpx.post(sim.base_url + MESSAGES, json=body, headers={"Authorization": "Bearer t"}, timeout=5)


def error_code(response: httpx.Response) -> int:
    assert response.status_code >= 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code", "error_data", "fbtrace_id"}
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert error["message"].startswith(f"(#{error['code']})")
    return int(error["code"])


# A send of riordino_coupon as Meta's documentation writes one: IMAGE header by link,
# two body texts, the URL button's suffix at index 0, the coupon at index 2.
COUPON: dict[str, Any] = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": TO,
    "type": "template",
    "template": {
        "name": "riordino_coupon",
        "language": {"code": "it"},
        "components": [
            {
                "type": "header",
                "parameters": [
                    {"type": "image", "image": {"link": "https://cdn.vitalis.example/riordino.jpg"}}
                ],
            },
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Giulia"},
                    {"type": "text", "text": "Magnesio Plus"},
                ],
            },
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "magnesio-plus"}],
            },
            {
                "type": "button",
                "sub_type": "copy_code",
                "index": "2",
                "parameters": [{"type": "coupon_code", "coupon_code": "RIORDINO10"}],
            },
        ],
    },
}


def coupon(edit: Any = None) -> dict[str, Any]:
    body = copy.deepcopy(COUPON)
    if edit is not None:
        edit(body["template"]["components"])
    return body


def test_builders_write_metas_shape() -> None:
    components = [
        header_media_component("image", "https://cdn.vitalis.example/riordino.jpg"),
        *body_component(["Giulia", "Magnesio Plus"]),
        button_component("url", 0, "magnesio-plus"),
        button_component("copy_code", 2, "RIORDINO10"),
    ]
    assert template_message(TO, "riordino_coupon", "it", components) == COUPON
    assert header_text_component(["A-1042"]) == {
        "type": "header",
        "parameters": [{"type": "text", "text": "A-1042"}],
    }
    assert header_media_component("document", "https://x.example/f.pdf", "fattura.pdf")["parameters"] == [
        {"type": "document", "document": {"link": "https://x.example/f.pdf", "filename": "fattura.pdf"}}
    ]
    assert button_component("quick_reply", 1, "NO")["parameters"] == [{"type": "payload", "payload": "NO"}]
    assert body_component([]) == []
    with pytest.raises(ValueError, match="image, video or document"):
        header_media_component("sticker", "https://x.example/a")
    with pytest.raises(ValueError, match="url, quick_reply or copy_code"):
        button_component("call", 0, "x")


def test_a_full_component_send_is_accepted_like_meta(sim: CloudApiSimulator) -> None:
    response = send(sim, coupon())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["contacts"] == [{"input": TO, "wa_id": "393331234501"}]
    (message,) = answer["messages"]
    assert message["id"].startswith("wamid.") and message["message_status"] == "accepted"
    # a quick-reply payload is optional, and may be given
    with_payload = coupon(
        lambda c: c.append(
            {"type": "button", "sub_type": "quick_reply", "index": 1,
             "parameters": [{"type": "payload", "payload": "NON-ORA"}]}
        )
    )
    assert send(sim, {**with_payload, "to": "+393331234502"}).status_code == 200


def test_text_header_and_rich_body_parameters(sim: CloudApiSimulator) -> None:
    body = template_message(
        TO,
        "consegna_in_arrivo",
        "it",
        [
            {"type": "header", "parameters": [{"type": "text", "text": "A-1042"}]},
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Giulia"},
                    {"type": "date_time", "date_time": {"fallback_value": "domani alle 10"}},
                ],
            },
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A-1042"}]},
        ],
    )
    assert send(sim, body).status_code == 200, send(sim, body).text
    currency = copy.deepcopy(body)
    currency["to"] = "+393331234503"
    currency["template"]["components"][1]["parameters"][1] = {
        "type": "currency",
        "currency": {"fallback_value": "€12,50", "code": "EUR", "amount_1000": 12500},
    }
    assert send(sim, currency).status_code == 200


def _drop(kind: str, index: str | None = None):
    def edit(components: list[dict[str, Any]]) -> None:
        components[:] = [
            c for c in components if not (c["type"] == kind and (index is None or c.get("index") == index))
        ]

    return edit


def _set(position: int, parameters: list[dict[str, Any]], **fields: Any):
    def edit(components: list[dict[str, Any]]) -> None:
        components[position]["parameters"] = parameters
        components[position].update(fields)

    return edit


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        # parameter counts -> 132000
        (_drop("header"), 132000),
        (_set(1, [{"type": "text", "text": "Giulia"}]), 132000),
        (_drop("button", "0"), 132000),
        (_drop("button", "2"), 132000),
        (_set(2, []), 132000),
        (lambda c: c.append({"type": "button", "sub_type": "url", "index": "5", "parameters": []}), 132000),
        # parameter formats -> 132012
        (_set(0, [{"type": "document", "document": {"link": "https://x.example/a.pdf"}}]), 132012),
        (_set(0, [{"type": "text", "text": "no image"}]), 132012),
        (_set(1, [{"type": "image", "image": {"link": "https://x.example/a.jpg"}},
                  {"type": "text", "text": "x"}]), 132012),
        (_set(2, [{"type": "text", "text": "x"}], sub_type="quick_reply"), 132012),
        (_set(3, [{"type": "text", "text": "RIORDINO10"}]), 132012),
        (_set(2, [{"type": "payload", "payload": "x"}]), 132012),
        # malformed values -> 100
        (_set(0, [{"type": "image", "image": {}}]), 100),
        (_set(0, [{"type": "image", "image": {"link": "not a url"}}]), 100),
        (_set(1, [{"type": "text", "text": "Giulia"}, {"type": "text", "text": "  "}]), 100),
        (_set(1, [{"type": "text", "text": "Giulia"},
                  {"type": "currency", "currency": {"fallback_value": "€1", "code": "EUR"}}]), 100),
        (_set(1, [{"type": "text", "text": "Giulia"}, {"type": "date_time", "date_time": {}}]), 100),
        (_set(3, [{"type": "coupon_code", "coupon_code": ""}]), 100),
        (_set(2, [{"type": "text", "text": "x"}], index="first"), 100),
        (lambda c: c[2].pop("sub_type"), 100),
        (lambda c: c.append({"type": "carousel"}), 100),
        (lambda c: c.append(dict(c[1])), 100),
        (_set(1, "not a list"), 100),  # type: ignore[arg-type]
    ],
)
def test_component_checks_answer_metas_codes(sim: CloudApiSimulator, edit: Any, code: int) -> None:
    assert error_code(send(sim, coupon(edit))) == code
    assert sim.sends == []  # nothing refused is ever accepted


def test_unknown_template_or_language_is_132001(sim: CloudApiSimulator) -> None:
    unknown = coupon()
    unknown["template"]["name"] = "riordino_couponx"
    response = send(sim, unknown)
    assert response.status_code == 404 and error_code(response) == 132001
    wrong_language = coupon()
    wrong_language["template"]["language"]["code"] = "en_US"
    assert error_code(send(sim, wrong_language)) == 132001


def test_body_only_templates_refuse_stray_header_and_buttons(sim: CloudApiSimulator) -> None:
    plain = template_message(TO, "riordino_integratori", "it", body_component(["Giulia", "Magnesio"]))
    assert send(sim, plain).status_code == 200
    with_header = copy.deepcopy(plain)
    with_header["to"] = "+393331234509"
    with_header["template"]["components"].insert(0, header_text_component(["Ciao"]))
    assert error_code(send(sim, with_header)) == 132000
    with_button = copy.deepcopy(plain)
    with_button["template"]["components"].append(button_component("url", 0, "x"))
    assert error_code(send(sim, with_button)) == 132000
