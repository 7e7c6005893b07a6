"""Where a campaign takes each template parameter from: a member's column or a fixed
value, with a fallback for a blank column value (docs/campaigns.md, "Template parameters").

    variables:                       # body {{n}}: a column, or {column, fallback}
      1: {column: first_name, fallback: cliente}
      2: last_product
    header:                          # one of: text (TEXT header {{n}}), image, video, document
      image: {value: "https://cdn.example.com/riordino.jpg"}
    buttons:                         # by the template's button index (0-based)
      0: {url: {column: order_path}}               # URL button: the {{1}} suffix
      1: {quick_reply: {value: riordina}}          # QUICK_REPLY: the payload (optional)
      2: {copy_code: {column: coupon_code, fallback: BENVENUTO10}}

A fill is a bare column name, `{column: c}`, `{column: c, fallback: "text"}` or
`{value: "text"}`. `check_fills` checks them against the template once, at load.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from senders import message_body
from senders.templates import Template

_IDENTIFIER = r"^[a-z_][a-z0-9_]*$"
Identifier = Annotated[str, Field(pattern=_IDENTIFIER, max_length=63)]
NonBlank = Annotated[str, Field(min_length=1, pattern=r"\S")]
MEDIA = ("image", "video", "document")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def blank(value: object) -> bool:
    return value is None or not str(value).strip()


class Fill(_Frozen):
    """One parameter's value: a member's `column` (with a `fallback` when it is blank)
    or a fixed `value`."""

    column: Identifier | None = None
    value: NonBlank | None = None
    fallback: NonBlank | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_column(cls, data: Any) -> Any:
        return {"column": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_source(self) -> Fill:
        if (self.column is None) == (self.value is None):
            raise ValueError("give either `column` (a member's column) or `value` (fixed text)")
        if self.value is not None and self.fallback is not None:
            raise ValueError("a fixed `value` needs no `fallback`")
        return self

    def resolve(self, values: dict[str, Any]) -> str | None:
        """The text for one member, or None when the column is blank with no fallback."""
        if self.value is not None:
            return self.value
        found = values.get(self.column or "")
        if not blank(found):
            return str(found).strip() if isinstance(found, str) else str(found)
        return self.fallback


class HeaderFill(_Frozen):
    """A header's parameters: a TEXT header's {{n}}, or a media header's link."""

    text: dict[int, Fill] | None = None
    image: Fill | None = None
    video: Fill | None = None
    document: Fill | None = None
    filename: NonBlank | None = None  # a document header's file name, shown to the recipient

    @model_validator(mode="after")
    def _one_kind(self) -> HeaderFill:
        given = [kind for kind in ("text", *MEDIA) if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of text, image, video, document (got {given or 'none'})")
        if self.filename is not None and given != ["document"]:
            raise ValueError("`filename` goes with a document header only")
        return self

    @property
    def kind(self) -> Literal["text", "image", "video", "document"]:
        return next(k for k in ("text", *MEDIA) if getattr(self, k) is not None)  # type: ignore[return-value]


class ButtonFill(_Frozen):
    """One button's parameter, by kind: a URL button's suffix, a quick reply's payload,
    a copy-code button's coupon."""

    url: Fill | None = None
    quick_reply: Fill | None = None
    copy_code: Fill | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ButtonFill:
        given = [kind for kind in ("url", "quick_reply", "copy_code") if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of url, quick_reply, copy_code (got {given or 'none'})")
        return self

    @property
    def kind(self) -> Literal["url", "quick_reply", "copy_code"]:
        return next(k for k in ("url", "quick_reply", "copy_code") if getattr(self, k) is not None)  # type: ignore[return-value]

    @property
    def fill(self) -> Fill:
        return getattr(self, self.kind)


_BUTTON_KIND = {"URL": "url", "QUICK_REPLY": "quick_reply", "COPY_CODE": "copy_code"}


def _numbers(where: str, given: list[int], expected: int, fix: str) -> str | None:
    if sorted(given) != list(range(1, expected + 1)):
        wanted = f"1..{expected}" if expected else "none"
        return (
            f"{where}: the template takes {expected} parameters ({wanted}), "
            f"the campaign gives {sorted(given)}. Fix: {fix}"
        )
    return None


def _check_header(name: str, template: Template, header: HeaderFill | None) -> str | None:
    declared = next((c for c in template.components if c.type == "HEADER"), None)
    wanted = None if declared is None else (declared.format or "TEXT").lower()
    if wanted == "text" and declared is not None and not declared.placeholders:
        wanted = None
    if header is None:
        if wanted is None:
            return None
        return (
            f"header: {name} has a {wanted.upper()} header with a parameter. "
            f"Fix: add `header: {{{wanted}: ...}}`"
        )
    if wanted is None:
        return f"header: {name} has no header parameter. Fix: remove `header:`"
    if header.kind != wanted:
        return (
            f"header: {name} has a {wanted.upper()} header, the campaign fills {header.kind}. "
            f"Fix: use `header: {{{wanted}: ...}}`"
        )
    if header.text is not None and declared is not None:
        fix = "number them like the header's {{n}}"
        return _numbers("header.text", list(header.text), len(declared.placeholders), fix)
    return None


def _check_buttons(name: str, template: Template, buttons: dict[int, ButtonFill]) -> str | None:
    declared = next((c.buttons for c in template.components if c.type == "BUTTONS"), [])
    for index, fill in sorted(buttons.items()):
        where = f"buttons.{index}"
        if not 0 <= index < len(declared):
            return (
                f"{where}: {name} has {len(declared)} buttons (indexes 0..{len(declared) - 1}). "
                "Fix: use the button's index"
            )
        button = declared[index]
        kind = _BUTTON_KIND.get(button.type)
        if kind is None or (kind == "url" and not button.parameter_count):
            return (
                f"{where}: the template's {button.type} button {button.text!r} takes no "
                f"parameter. Fix: remove {where}"
            )
        if fill.kind != kind:
            return (
                f"{where}: the template's button {index} is a {button.type} button, the "
                f"campaign fills {fill.kind}. Fix: use `{index}: {{{kind}: ...}}`"
            )
    for index, button in enumerate(declared):
        if button.parameter_count and index not in buttons:
            kind = _BUTTON_KIND.get(button.type, button.type.lower())
            return (
                f"buttons.{index}: the template's {button.type} button {button.text!r} needs a "
                f"parameter. Fix: add `buttons: {{{index}: {{{kind}: ...}}}}`"
            )
    return None


def check_fills(
    template: Template, body: dict[int, Fill], header: HeaderFill | None, buttons: dict[int, ButtonFill]
) -> str | None:
    """Why these fills do not fit the template's components (counts and kinds), or None."""
    name = f"template {template.name!r} ({template.language})"
    if len(body) != template.body_params:
        return (
            f"{name} takes {template.body_params} body parameters but the campaign maps "
            f"{len(body)} variables. Fix: map variables 1..{template.body_params}"
        )
    return _check_header(name, template, header) or _check_buttons(name, template, buttons)


def fill_columns(body: dict[int, Fill], header: HeaderFill | None, buttons: dict[int, ButtonFill]) -> list[str]:
    fills = [*body.values()]
    if header is not None:
        fills += list(header.text.values()) if header.text else [getattr(header, header.kind)]
    fills += [button.fill for button in buttons.values()]
    return list(dict.fromkeys(f.column for f in fills if f.column is not None))


class MissingVariable(ValueError):
    """A member's blank column with no fallback (the run's `missing_variable`)."""

    def __init__(self, missing: list[str]):
        super().__init__(f"blank with no fallback: {', '.join(missing)}")
        self.missing = missing


def fill_components(
    values: dict[str, Any], body: dict[int, Fill], header: HeaderFill | None, buttons: dict[int, ButtonFill]
) -> list[dict[str, Any]]:
    """The filled components (header, body, buttons) for one member; MissingVariable
    names the columns blank without a fallback."""
    missing = [f.column or "" for f in _all(body, header, buttons) if f.resolve(values) is None]
    if missing:
        raise MissingVariable(list(dict.fromkeys(missing)))
    components: list[dict[str, Any]] = []
    if header is not None:
        if header.text is not None:
            texts = [header.text[n].resolve(values) or "" for n in sorted(header.text)]
            components.append(message_body.header_text_component(texts))
        else:
            link = getattr(header, header.kind).resolve(values) or ""
            components.append(message_body.header_media_component(header.kind, link, header.filename))
    components += message_body.body_component([body[n].resolve(values) or "" for n in sorted(body)])
    for index, button in sorted(buttons.items()):
        components.append(message_body.button_component(button.kind, index, button.fill.resolve(values) or ""))
    return components


def _all(body: dict[int, Fill], header: HeaderFill | None, buttons: dict[int, ButtonFill]) -> list[Fill]:
    fills = [body[n] for n in sorted(body)]
    if header is not None:
        fills += [header.text[n] for n in sorted(header.text)] if header.text else [getattr(header, header.kind)]
    return fills + [buttons[i].fill for i in sorted(buttons)]
