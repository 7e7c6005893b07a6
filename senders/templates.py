"""WhatsApp message templates: the model, the registry, and whether one may be sent.

A template is one name in one language, as Meta keeps it: category (MARKETING, UTILITY,
AUTHENTICATION), status, quality score, and its components (HEADER text or media, BODY
with {{1}}..{{n}} or named parameters, FOOTER, BUTTONS: quick replies, URL with a
parameter, phone number, copy code, ...). The registry comes from two places
(docs/templates.md):

- `senders/templates.yaml`, the declaration (offline and demo use; the simulator answers
  from it). A template there may give `body` + `body_params` instead of `components`;
- `THREADLINE_HOME/state/templates.json`, what `python -m senders.template_sync` last
  read from Meta (`GET /{WABA_ID}/message_templates`). A template Meta has replaces
  the declared one.

Only an APPROVED template whose category has not changed since a person last confirmed
it is sendable (`template_block_reason`): when Meta moves a template to another category
(utility → marketing), its price and consent rules change, so it waits for a row in
`models/seeds/template_confirmations.csv`.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipelines.settings import DBT_PROJECT_DIR, Paths, paths

SENDERS_DIR = Path(__file__).resolve().parent
TEMPLATES_FILE = SENDERS_DIR / "templates.yaml"
CONFIRMATIONS_FILE = Path(DBT_PROJECT_DIR) / "seeds" / "template_confirmations.csv"
SYNCED_FILE_NAME = "templates.json"

_IDENTIFIER = r"^[a-z_][a-z0-9_]*$"
_POSITIONAL = re.compile(r"\{\{(\d+)\}\}")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")

Identifier = Annotated[str, Field(pattern=_IDENTIFIER, max_length=512)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2,4})?$")]


class CampaignConfigError(ValueError):
    """A template registry or campaign file that cannot be used as written."""


class TemplateCategory(StrEnum):
    MARKETING = "MARKETING"
    UTILITY = "UTILITY"
    AUTHENTICATION = "AUTHENTICATION"


class TemplateStatus(StrEnum):
    """Meta's template statuses; only APPROVED sends."""

    APPROVED = "APPROVED"
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"
    IN_APPEAL = "IN_APPEAL"
    PENDING_DELETION = "PENDING_DELETION"
    DELETED = "DELETED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    ARCHIVED = "ARCHIVED"
    FLAGGED = "FLAGGED"
    LOCKED = "LOCKED"


class QualityScore(StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"
    UNKNOWN = "UNKNOWN"


class ParameterFormat(StrEnum):
    POSITIONAL = "POSITIONAL"
    NAMED = "NAMED"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _FromMeta(BaseModel):
    """A part of Meta's template object: unknown keys (Meta adds them) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _upper_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            data = {**data, "type": data["type"].upper()}
        return data


class Button(_FromMeta):
    type: str  # QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, CATALOG, ...
    text: str = ""
    url: str | None = None
    phone_number: str | None = None
    example: list[str] | str | None = None

    @property
    def parameter_count(self) -> int:
        """A URL button with {{1}} in its url takes one text parameter; a copy-code
        button takes its coupon code."""
        if self.type == "URL" and self.url:
            return len(set(_PLACEHOLDER.findall(self.url)))
        return 1 if self.type == "COPY_CODE" else 0


HeaderFormat = Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION", "PRODUCT"]


class Component(_FromMeta):
    type: Literal["HEADER", "BODY", "FOOTER", "BUTTONS"]
    format: HeaderFormat | None = None
    text: str | None = None
    example: dict[str, Any] | None = None
    buttons: list[Button] = Field(default_factory=list)

    @property
    def placeholders(self) -> list[str]:
        """The distinct {{...}} of the text, in order of first appearance."""
        return list(dict.fromkeys(_PLACEHOLDER.findall(self.text or "")))


@dataclass(frozen=True)
class Parameter:
    """One value a send must supply: where it goes and of what type."""

    component: Literal["header", "body", "button"]
    type: Literal["text", "image", "video", "document", "location", "product", "coupon_code"]
    name: str  # "1", "2", ... or the named parameter
    button_index: int | None = None


class Template(_FromMeta):
    """One WhatsApp message template in one language."""

    name: Identifier
    language: Language
    category: TemplateCategory
    status: TemplateStatus
    components: list[Component]
    id: str | None = None
    quality_score: QualityScore | None = None
    previous_category: TemplateCategory | None = None
    parameter_format: ParameterFormat = ParameterFormat.POSITIONAL

    @model_validator(mode="before")
    @classmethod
    def _from_declaration(cls, data: Any) -> Any:
        """YAML shorthand (`body` + `body_params`) and Meta's shapes (`quality_score:
        {score: ...}`, numeric ids) into the model's fields."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "body" in data or "body_params" in data:
            if "components" in data:
                raise ValueError("give either body/body_params or components, not both")
            body, count = data.pop("body", None), data.pop("body_params", None)
            if not isinstance(body, str) or not body:
                raise ValueError("body: a non-empty text is required")
            found = sorted({int(n) for n in _POSITIONAL.findall(body)})
            if not isinstance(count, int) or found != list(range(1, count + 1)):
                raise ValueError(
                    f"body placeholders {found} do not match body_params={count} "
                    f"(expected {{{{1}}}}..{{{{{count}}}}})"
                )
            data["components"] = [{"type": "BODY", "text": body}]
        quality = data.get("quality_score")
        if isinstance(quality, dict):
            data["quality_score"] = quality.get("score")
        if data.get("id") is not None:
            data["id"] = str(data["id"])
        if data.get("previous_category") in ("", "NONE"):
            data["previous_category"] = None
        return data

    @model_validator(mode="after")
    def _components_are_coherent(self) -> Template:
        kinds = [component.type for component in self.components]
        if kinds.count("BODY") != 1:
            raise ValueError(f"a template has exactly one BODY component, found {kinds.count('BODY')}")
        if len(self.body) > 1024:
            raise ValueError("BODY text is longer than 1024 characters")
        for component in self.components:
            names = component.placeholders
            if self.parameter_format is ParameterFormat.POSITIONAL:
                if any(not n.isdigit() for n in names):
                    raise ValueError(
                        f"{component.type}: named placeholders {names} in a POSITIONAL template "
                        "(set parameter_format: NAMED)"
                    )
                if sorted(int(n) for n in names) != list(range(1, len(names) + 1)):
                    raise ValueError(
                        f"{component.type}: placeholders {names} are not numbered 1..{len(names)}"
                    )
            elif any(n.isdigit() for n in names):
                raise ValueError(f"{component.type}: numbered placeholders in a NAMED template")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)

    def _component(self, kind: str) -> Component | None:
        return next((c for c in self.components if c.type == kind), None)

    @property
    def body(self) -> str:
        body = self._component("BODY")
        return body.text or "" if body else ""

    @property
    def body_params(self) -> int:
        body = self._component("BODY")
        return len(body.placeholders) if body else 0

    @property
    def parameters(self) -> list[Parameter]:
        """Every parameter a send of this template supplies, by component, in order."""
        found: list[Parameter] = []
        header = self._component("HEADER")
        if header is not None:
            if header.format in (None, "TEXT"):
                found += [Parameter("header", "text", n) for n in header.placeholders]
            else:
                media = header.format.lower()
                found.append(Parameter("header", media, "1"))  # type: ignore[arg-type]
        body = self._component("BODY")
        found += [Parameter("body", "text", n) for n in body.placeholders] if body else []
        buttons = self._component("BUTTONS")
        for index, button in enumerate(buttons.buttons if buttons else []):
            if button.parameter_count:
                kind = "coupon_code" if button.type == "COPY_CODE" else "text"
                found.append(Parameter("button", kind, "1", index))  # type: ignore[arg-type]
        return found

    @property
    def category_changed(self) -> bool:
        """Meta moved the template from `previous_category` to `category`."""
        return self.previous_category is not None and self.previous_category != self.category

    def render(self, params: list[str]) -> str:
        """The body as the recipient reads it (for previews and tests)."""
        names = self._component("BODY").placeholders if self._component("BODY") else []
        if len(params) != len(names):
            raise ValueError(f"{self.name} takes {len(names)} params, got {len(params)}")
        values = dict(zip(names, params, strict=True))
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.body)


TemplateRegistry = dict[tuple[str, str], Template]


# -- where templates come from -----------------------------------------------------------


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CampaignConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise CampaignConfigError(f"{path}: not valid YAML: {exc}") from exc


def describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


def _registry(path: Path, items: Any, label: str) -> TemplateRegistry:
    if not isinstance(items, list):
        raise CampaignConfigError(f"{path}: expected a top-level `{label}:` list")
    registry: TemplateRegistry = {}
    for position, raw in enumerate(items):
        try:
            template = Template.model_validate(raw)
        except ValidationError as exc:
            raise CampaignConfigError(f"{path}: template #{position}: {describe(exc)}") from exc
        if template.key in registry:
            raise CampaignConfigError(f"{path}: duplicate template {template.key}")
        registry[template.key] = template
    return registry


def synced_templates_file(where: Paths | None = None) -> Path:
    return (where or paths()).state / SYNCED_FILE_NAME


def load_synced(path: Path) -> TemplateRegistry:
    """The registry `template_sync` wrote (Meta's template objects under `data`)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CampaignConfigError(f"{path}: not valid JSON ({exc}); run the sync again") from exc
    return _registry(path, document.get("data") if isinstance(document, dict) else None, "data")


def load_templates(path: Path = TEMPLATES_FILE, synced: Path | None = None) -> TemplateRegistry:
    """The template registry, keyed by (name, language): the YAML at `path`, with every
    template of `synced` (state/templates.json, when it exists) taking precedence."""
    document = read_yaml(path)
    items = document.get("templates") if isinstance(document, dict) else None
    registry = _registry(path, items, "templates")
    if synced is not None and synced.exists():
        registry.update(load_synced(synced))
    return registry


def current_templates(home: str | Path | None = None) -> TemplateRegistry:
    """The registry the senders use: templates.yaml overlaid by the last sync under
    THREADLINE_HOME (or `home`)."""
    return load_templates(TEMPLATES_FILE, synced_templates_file(paths(home)))


# -- may it be sent? ------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """A person's confirmation that a template may be sent in its new category."""

    template_name: str
    language: str
    confirmed_category: str
    confirmed_by: str
    confirmed_at: datetime
    note: str = ""


def load_confirmations(path: Path = CONFIRMATIONS_FILE) -> list[Confirmation]:
    """The rows of the template_confirmations seed (the one place a person confirms)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Confirmation(
                template_name=row["template_name"],
                language=row["language"],
                confirmed_category=row["confirmed_category"].upper(),
                confirmed_by=row["confirmed_by"],
                confirmed_at=datetime.fromisoformat(row["confirmed_at"]),
                note=row.get("note") or "",
            )
            for row in csv.DictReader(handle)
        ]


def _confirmed(template: Template, confirmations: list[Confirmation]) -> bool:
    return any(
        (c.template_name, c.language, c.confirmed_category) == (*template.key, template.category)
        for c in confirmations
    )


def _warehouse_reason(con: Any, template: Template) -> str | None:
    """dim_templates' verdict (status, quality and category webhooks since the sync)."""
    try:
        row = con.execute(
            "select sendable, paused_reason, status, category, previous_category "
            "from marts.dim_templates where template_name = ? and template_language = ?",
            list(template.key),
        ).fetchone()
    except Exception as exc:  # noqa: BLE001 (a warehouse without the mart yet)
        if "dim_templates" in str(exc):
            return None
        raise
    if row is None or row[0]:
        return None
    sendable, reason, status, category, previous = row
    if reason == "category_changed":
        return (
            f"Meta changed its category {previous or '?'} → {category}; confirm it in "
            f"{CONFIRMATIONS_FILE.name} (docs/templates.md)"
        )
    return f"its status is {status} (template webhooks, marts.dim_templates)"


def template_block_reason(
    template: Template | None,
    confirmations: list[Confirmation] | None = None,
    con: Any = None,
) -> str | None:
    """Why `template` must not be sent now, or None when it may be.

    Blocked: not in the registry; any status but APPROVED; a category Meta changed
    (`previous_category` from the sync, or a template_category_update webhook in
    marts.dim_templates when `con`, a warehouse connection, is given) that no row of
    the template_confirmations seed confirms for the current category.
    """
    if template is None:
        return "the template is not in the registry (templates.yaml or the last sync)"
    if template.status != TemplateStatus.APPROVED:
        return f"its status is {template.status}; only APPROVED templates can be sent"
    confirmed = load_confirmations() if confirmations is None else confirmations
    if template.category_changed and not _confirmed(template, confirmed):
        return (
            f"Meta changed its category {template.previous_category} → {template.category}; "
            f"a person confirms it with a row in models/seeds/{CONFIRMATIONS_FILE.name} "
            "(docs/templates.md)"
        )
    return _warehouse_reason(con, template) if con is not None else None


def send_time_block_reason(
    name: str, language: str, con: Any = None, home: str | Path | None = None
) -> str | None:
    """The check a campaign run makes before sending (skip every member with
    `template_paused` when it answers): the registry with the last sync taking
    precedence, the confirmations seed, and marts.dim_templates when `con` is given."""
    return template_block_reason(current_templates(home).get((name, language)), con=con)
