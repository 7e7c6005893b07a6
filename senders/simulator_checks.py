"""The simulator's checks of a template message body, against the template, as Meta
makes them (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates):

- the envelope (`messaging_product`, `recipient_type`, `to`, `type: template`,
  `template.name`, `template.language.code`, `template.components` a list of objects
  with a `type`; button components with `sub_type` and `index`) -> 400, code 100;
- each component's parameter count against the template's placeholders: header
  (text {{n}}, or one media parameter), body, each button with a parameter (URL
  with {{1}}, COPY_CODE; a QUICK_REPLY may carry its payload) -> 400, code 132000;
- each parameter's type against what the template expects -> 400, code 132012
  (a body text parameter may be text, currency or date_time; a header parameter is
  text or the header's media format; a button component has the `sub_type` of the
  template's button at `index`; in a NAMED template each parameter's
  `parameter_name` matches);
- a parameter of the right type whose value is missing or malformed -> 400, code
  100: text non-empty; currency `{fallback_value, code (ISO 4217), amount_1000
  (integer)}`; date_time `{fallback_value}`; media `{link: http(s) URL}` (or an
  uploaded `id`); payload / coupon_code non-empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from senders.simulator_errors import SimulatedError, meta_error
from senders.templates import ParameterFormat, Template

_MEDIA = ("image", "video", "document")
_BUTTON_SUB_TYPES = {"URL": "url", "QUICK_REPLY": "quick_reply", "COPY_CODE": "copy_code"}
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class TemplateMessage:
    to: str
    name: str
    language: str
    components: list[dict[str, Any]]


def _invalid(details: str) -> SimulatedError:
    return meta_error(400, 100, details)


def _count(details: str) -> SimulatedError:
    return meta_error(400, 132000, details)


def _format(details: str) -> SimulatedError:
    return meta_error(400, 132012, details)


def parse_template_message(body: Any) -> TemplateMessage:
    """The envelope of a template message, else error 100."""
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise _invalid("The parameter messaging_product is required and must be 'whatsapp'")
    if body.get("recipient_type", "individual") != "individual":
        raise _invalid("Param recipient_type must be 'individual'")
    to = body.get("to")
    if not isinstance(to, str) or not 5 <= len(re.sub(r"\D", "", to)) <= 15:
        raise _invalid("Param to must be a phone number")
    if body.get("type") != "template":
        raise _invalid("Param type must be 'template'")
    template = body.get("template")
    if not isinstance(template, dict) or not isinstance(template.get("name"), str):
        raise _invalid("Param template['name'] is required")
    language = template.get("language")
    if not isinstance(language, dict) or not isinstance(language.get("code"), str):
        raise _invalid("Param template['language']['code'] is required")
    components = template.get("components", [])
    if not isinstance(components, list):
        raise _invalid("Param template['components'] must be an array")
    seen: set[tuple[str, str]] = set()
    for position, component in enumerate(components):
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise _invalid(f"Param template['components'][{position}]['type'] is required")
        kind = component["type"].lower()
        if kind not in ("header", "body", "button"):
            raise _invalid(f"Invalid component type {component['type']!r} (header, body, button)")
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
            raise _invalid(f"Param template['components'][{position}]['parameters'] must be an array of objects")
        index = ""
        if kind == "button":
            if not isinstance(component.get("sub_type"), str):
                raise _invalid(f"Param template['components'][{position}]['sub_type'] is required")
            raw_index = component.get("index")
            if isinstance(raw_index, bool) or not (
                isinstance(raw_index, int) or (isinstance(raw_index, str) and raw_index.isdigit())
            ):
                raise _invalid(f"Param template['components'][{position}]['index'] must be a number 0..9")
            index = str(int(raw_index))
        if (kind, index) in seen:
            raise _invalid(f"Duplicate {kind} component{f' for button {index}' if index else ''}")
        seen.add((kind, index))
    return TemplateMessage(to, template["name"], language["code"], components)


def _component(components: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in components if c["type"].lower() == kind and kind != "button"), None)


def _text_ok(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_named(where: str, template: Template, names: list[str], parameters: list[dict[str, Any]]) -> None:
    if template.parameter_format is not ParameterFormat.NAMED:
        return
    given = [p.get("parameter_name") for p in parameters]
    if sorted(map(str, given)) != sorted(names):
        raise _format(f"{where}: parameter_name {given} do not match the template's {names}")


def _check_text_like(where: str, parameter: dict[str, Any]) -> None:
    """A body/header text parameter: text, currency or date_time."""
    kind = parameter.get("type")
    if kind == "text":
        if not _text_ok(parameter.get("text")):
            raise _invalid(f"{where}: a text parameter needs a non-empty `text`")
    elif kind == "currency":
        currency = parameter.get("currency")
        amount = currency.get("amount_1000") if isinstance(currency, dict) else None
        if (
            not isinstance(currency, dict)
            or not _text_ok(currency.get("fallback_value"))
            or not isinstance(currency.get("code"), str)
            or not _CURRENCY_CODE.match(currency["code"])
            or isinstance(amount, bool)
            or not isinstance(amount, int)
        ):
            raise _invalid(
                f"{where}: a currency parameter needs currency {{fallback_value, code (ISO 4217), "
                "amount_1000 (integer)}"
            )
    elif kind == "date_time":
        date_time = parameter.get("date_time")
        if not isinstance(date_time, dict) or not _text_ok(date_time.get("fallback_value")):
            raise _invalid(f"{where}: a date_time parameter needs date_time {{fallback_value}}")
    else:
        raise _format(f"{where}: Format mismatch, expected TEXT, received {str(kind).upper()}")


def _check_header(template: Template, header: dict[str, Any] | None) -> None:
    declared = next((c for c in template.components if c.type == "HEADER"), None)
    parameters = header.get("parameters", []) if header else []
    if declared is None or declared.format in (None, "TEXT"):
        names = declared.placeholders if declared is not None else []
        if len(parameters) != len(names):
            raise _count(
                f"header: number of localizable_params ({len(parameters)}) does not match the "
                f"expected number of params ({len(names)})"
            )
        for position, parameter in enumerate(parameters):
            if parameter.get("type") != "text":
                raise _format(f"header: parameter {position + 1}: Format mismatch, expected TEXT")
            if not _text_ok(parameter.get("text")):
                raise _invalid(f"header: parameter {position + 1}: a text parameter needs a non-empty `text`")
        _check_named("header", template, names, parameters)
        return
    media = declared.format.lower()
    if media not in _MEDIA:  # LOCATION, PRODUCT: one parameter of that type
        if len(parameters) != 1 or parameters[0].get("type") != media:
            raise _format(f"header: Format mismatch, expected {declared.format}")
        return
    if len(parameters) != 1:
        raise _count(
            f"header: number of parameters ({len(parameters)}) does not match the expected "
            "number of params (1)"
        )
    parameter = parameters[0]
    kind = parameter.get("type")
    if kind != media:
        raise _format(f"header: Format mismatch, expected {declared.format}, received {str(kind).upper()}")
    value = parameter.get(media)
    link = value.get("link") if isinstance(value, dict) else None
    uploaded = value.get("id") if isinstance(value, dict) else None
    if not (
        (isinstance(link, str) and re.match(r"^https?://\S+$", link)) or _text_ok(uploaded)
    ):
        raise _invalid(f"header: a {media} parameter needs {media} {{link: http(s) URL}} (or an uploaded id)")


def _check_body(template: Template, body: dict[str, Any] | None) -> None:
    declared = next(c for c in template.components if c.type == "BODY")
    names = declared.placeholders
    parameters = body.get("parameters", []) if body else []
    if len(parameters) != len(names):
        raise _count(
            f"body: number of localizable_params ({len(parameters)}) does not match the "
            f"expected number of params ({len(names)})"
        )
    for position, parameter in enumerate(parameters):
        _check_text_like(f"body: parameter {position + 1}", parameter)
    _check_named("body", template, names, parameters)


def _check_buttons(template: Template, components: list[dict[str, Any]]) -> None:
    declared = next((c for c in template.components if c.type == "BUTTONS"), None)
    buttons = declared.buttons if declared is not None else []
    given = {
        int(c["index"]): c for c in components if c["type"].lower() == "button"
    }
    for index, component in sorted(given.items()):
        if index >= len(buttons):
            raise _count(f"button at index {index}: the template has {len(buttons)} buttons")
        button = buttons[index]
        expected = _BUTTON_SUB_TYPES.get(button.type)
        sub_type = str(component["sub_type"]).lower()
        if sub_type != expected:
            raise _format(
                f"button at index {index}: sub_type {sub_type!r} does not match the template's "
                f"{button.type} button"
            )
    for index, button in enumerate(buttons):
        component = given.get(index)
        parameters = component.get("parameters", []) if component else []
        where = f"button at index {index} ({button.type})"
        if button.type == "QUICK_REPLY":
            if len(parameters) > 1:
                raise _count(f"{where}: at most one payload parameter, got {len(parameters)}")
            if parameters and parameters[0].get("type") != "payload":
                raise _format(f"{where}: Format mismatch, expected PAYLOAD")
            if parameters and not _text_ok(parameters[0].get("payload")):
                raise _invalid(f"{where}: a payload parameter needs a non-empty `payload`")
            continue
        expected_count = button.parameter_count
        if len(parameters) != expected_count:
            raise _count(
                f"{where}: number of parameters ({len(parameters)}) does not match the expected "
                f"number of params ({expected_count})"
            )
        if not parameters:
            continue
        parameter = parameters[0]
        if button.type == "COPY_CODE":
            if parameter.get("type") != "coupon_code":
                raise _format(f"{where}: Format mismatch, expected COUPON_CODE")
            if not _text_ok(parameter.get("coupon_code")):
                raise _invalid(f"{where}: a coupon_code parameter needs a non-empty `coupon_code`")
        elif parameter.get("type") != "text":
            raise _format(f"{where}: Format mismatch, expected TEXT (the URL suffix)")
        elif not _text_ok(parameter.get("text")):
            raise _invalid(f"{where}: the URL suffix needs a non-empty `text`")


def check_parameters(template: Template, components: list[dict[str, Any]]) -> None:
    """Every component's parameters against the template, else error 132000 / 132012."""
    _check_header(template, _component(components, "header"))
    _check_body(template, _component(components, "body"))
    _check_buttons(template, components)
