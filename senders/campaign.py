"""Template registry and campaign definitions, validated once when they are loaded.

`templates.yaml` mirrors the templates of the WhatsApp Business account; each file in
`campaigns/` defines one campaign. Loading a campaign checks it against the registry
(template known for that language, APPROVED, one variable per body parameter) and
against the dbt project's segments (the segment exists; a MARKETING template needs a
marketing segment on WhatsApp; every variable is a template column of the segment or a
column of marts.dim_contacts), so the sender never discovers a broken campaign halfway
through an audience.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.transform.segments import ProjectSegments, project_segments
from senders.campaign_fills import (
    ButtonFill,
    Fill,
    HeaderFill,
    MissingVariable,
    NonBlank,
    check_fills,
    fill_columns,
    fill_components,
)
from senders.templates import (  # noqa: F401 (re-exported: the registry lived here)
    SENDERS_DIR,
    TEMPLATES_FILE,
    CampaignConfigError,
    Template,
    TemplateCategory,
    TemplateRegistry,
    TemplateStatus,
    describe,
    load_templates,
    read_yaml,
    template_block_reason,
)

CAMPAIGNS_DIR = SENDERS_DIR / "campaigns"

_IDENTIFIER = r"^[a-z_][a-z0-9_]*$"
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_ITEM = re.compile(r"^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$")

Identifier = Annotated[str, Field(pattern=_IDENTIFIER, max_length=63)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateRef(_Frozen):
    name: Identifier
    language: str


def _cron_item_ok(item: str, low: int, high: int) -> bool:
    match = _CRON_ITEM.match(item)
    if match is None:
        return False
    _, start, end, step = match.groups()
    bounds = [int(n) for n in (start, end) if n is not None]
    if any(not low <= n <= high for n in bounds) or (len(bounds) == 2 and bounds[0] > bounds[1]):
        return False
    return step is None or int(step) >= 1


class Schedule(_Frozen):
    cron: str
    timezone: str = "Europe/Rome"

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError(f"cron needs 5 fields (minute hour day month weekday): {value!r}")
        for field, (low, high) in zip(fields, _CRON_RANGES, strict=True):
            for item in field.split(","):
                if not _cron_item_ok(item, low, high):
                    raise ValueError(f"invalid cron field {field!r} in {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


MessagingLimit = Literal[250, 2000, 10000, 100000, "unlimited"]
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class FrequencyCap(_Frozen):
    """At most `max_messages` sends of this template category to one contact in `days`,
    counting every campaign's sends in the ledger."""

    max_messages: Annotated[int, Field(ge=1)]
    days: Annotated[int, Field(ge=1)]


class QuietHours(_Frozen):
    """No message between `start` and `end` in the contact's local time (HH:MM, 24 h;
    start after end spans midnight). A member met in quiet hours is held, not dropped."""

    start: Annotated[str, Field(pattern=_CLOCK)]
    end: Annotated[str, Field(pattern=_CLOCK)]

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start}: give a range, or drop quiet_hours")
        return self


class Variant(_Frozen):
    """One arm of an A/B test: its share of the (non-holdout) audience, and optionally
    its own template (same variables)."""

    name: Identifier
    percent: Annotated[float, Field(gt=0, le=100)]
    template: TemplateRef | None = None


GoalType = Literal["order", "appointment", "won_deal", "reply"]
UPLIFT_METHODS = ("newcombe_wilson",)
UPLIFT_CONFIDENCES = (0.90, 0.95, 0.99)
# the name of the holdout's row in marts.kpi_campaign_funnel: no variant may take it
HOLDOUT_ARM = "holdout"


class Goal(_Frozen):
    """What a member converts to (marts.fct_campaign_sends): the first goal of this type
    after the send and within `within_days` (None: var attribution_window_days, 7)."""

    type: GoalType = "order"
    within_days: Annotated[int, Field(ge=1, le=365)] | None = None


class Uplift(_Frozen):
    """How marts.kpi_campaign_funnel states the uplift of each variant against the
    holdout: the difference of conversion rates with the interval of `method` at
    `confidence`."""

    method: str = "newcombe_wilson"
    confidence: float = 0.95

    @field_validator("method")
    @classmethod
    def _implemented_method(cls, value: str) -> str:
        if value not in UPLIFT_METHODS:
            raise ValueError(
                f"unknown uplift method {value!r}; use {', '.join(UPLIFT_METHODS)} "
                "(Newcombe's hybrid Wilson score interval for a difference of two proportions)"
            )
        return value

    @field_validator("confidence")
    @classmethod
    def _tabulated_confidence(cls, value: float) -> float:
        if not any(abs(value - known) < 1e-9 for known in UPLIFT_CONFIDENCES):
            raise ValueError(
                f"confidence {value:g} is not one of {', '.join(f'{c:g}' for c in UPLIFT_CONFIDENCES)}; "
                "pick one of them (their z values are in models/macros/uplift.sql)"
            )
        return value


class Campaign(_Frozen):
    """A template sent to the members of one segment, on a schedule."""

    campaign_id: Identifier
    description: str = ""
    segment: Identifier
    inbox_id: str
    template: TemplateRef
    # body parameter number -> column; `{n: {column: c, fallback: "text"}}` in YAML puts
    # the fallback in variable_fallbacks (senders.campaign_fills)
    variables: dict[int, Identifier] = Field(default_factory=dict)
    variable_fallbacks: dict[int, NonBlank] = Field(default_factory=dict)
    header: HeaderFill | None = None
    buttons: dict[Annotated[int, Field(ge=0, le=9)], ButtonFill] = Field(default_factory=dict)
    schedule: Schedule
    resend_after_days: Annotated[int, Field(ge=0)]
    holdout_percent: Annotated[float, Field(ge=0, lt=100)] = 0.0
    frequency_cap: FrequencyCap | None = None
    quiet_hours: QuietHours | None = None
    audience_limit: Annotated[int, Field(ge=1)] | None = None
    dry_run: bool = False
    variants: list[Variant] = Field(default_factory=list)
    # unique recipients outside the service window per rolling 24 h on the sending
    # number; None: the inbox's limit in senders/programme.yaml
    messaging_limit: MessagingLimit | None = None
    # how results are measured (marts.fct_campaign_sends, marts.kpi_campaign_funnel)
    goal: Goal = Field(default_factory=Goal)
    uplift: Uplift = Field(default_factory=Uplift)

    @model_validator(mode="after")
    def _holdout_is_not_a_variant(self) -> Campaign:
        if any(variant.name == HOLDOUT_ARM for variant in self.variants):
            raise ValueError(
                f"variants: a variant may not be named {HOLDOUT_ARM!r} (the holdout's row in "
                "marts.kpi_campaign_funnel); rename it"
            )
        return self

    @field_validator("variants")
    @classmethod
    def _split_is_whole(cls, value: list[Variant]) -> list[Variant]:
        if not value:
            return value
        names = [variant.name for variant in value]
        if len(set(names)) != len(names):
            raise ValueError(f"variant names must be unique, got {names}")
        total = sum(variant.percent for variant in value)
        if abs(total - 100) > 1e-9:
            raise ValueError(
                f"variant percents add up to {total:g}; make them add up to 100 "
                "(the holdout is taken first, by holdout_percent)"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _variables_with_fallbacks(cls, data: Any) -> Any:
        """`variables: {1: {column: first_name, fallback: cliente}}` into `variables`
        (the columns) and `variable_fallbacks`; a bare column name stays as it is."""
        if not isinstance(data, dict) or not isinstance(data.get("variables"), dict):
            return data
        columns: dict[Any, Any] = {}
        fallbacks: dict[Any, Any] = dict(data.get("variable_fallbacks") or {})
        for number, spec in data["variables"].items():
            if isinstance(spec, dict):
                if "column" not in spec or set(spec) - {"column", "fallback"}:
                    raise ValueError(
                        f"variables.{number}: a body variable is a column name or "
                        f"{{column: c, fallback: text}}, got keys {sorted(spec)}; fixed text "
                        "belongs in the template body"
                    )
                columns[number] = spec["column"]
                if "fallback" in spec:
                    fallbacks[number] = spec["fallback"]
            else:
                columns[number] = spec
        return {**data, "variables": columns, "variable_fallbacks": fallbacks}

    @field_validator("variables")
    @classmethod
    def _numbered_from_one(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != list(range(1, len(value) + 1)):
            raise ValueError(f"variables must be numbered 1..n, got {sorted(value)}")
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _fallbacks_have_variables(self) -> Campaign:
        stray = sorted(set(self.variable_fallbacks) - set(self.variables))
        if stray:
            raise ValueError(f"variable_fallbacks {stray} have no variable; number them like variables")
        return self

    @property
    def segment_relation(self) -> str:
        return f"segments.{self.segment}"

    @property
    def body_fills(self) -> dict[int, Fill]:
        return {
            number: Fill(column=column, fallback=self.variable_fallbacks.get(number))
            for number, column in self.variables.items()
        }

    @property
    def columns(self) -> list[str]:
        """Every member column the campaign's parameters read (body, header, buttons),
        in order: what the audience query selects."""
        return fill_columns(self.body_fills, self.header, self.buttons)

    def missing_variables(self, values: dict[str, Any]) -> list[str]:
        """The columns blank for this member with no fallback (non-empty: the member is
        skipped with `missing_variable`)."""
        try:
            fill_components(values, self.body_fills, self.header, self.buttons)
        except MissingVariable as exc:
            return exc.missing
        return []

    def body_params(self, values: dict[str, Any]) -> list[str]:
        """The template's body parameters, in order, from a member's variable values
        (a blank value takes its fallback; MissingVariable when there is none)."""
        body = self.body_fills
        missing = [f.column or "" for f in body.values() if f.resolve(values) is None]
        if missing:
            raise MissingVariable(missing)
        return [body[n].resolve(values) or "" for n in sorted(body)]

    def components(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The template's filled components (header, body, buttons; senders.message_body)
        for one member; MissingVariable names the columns blank with no fallback."""
        return fill_components(values, self.body_fills, self.header, self.buttons)


def check_campaign(campaign: Campaign, templates: TemplateRegistry) -> Template:
    """The campaign's template, if the campaign can use it; else CampaignConfigError."""
    ref = campaign.template
    template = templates.get((ref.name, ref.language))
    if template is None:
        languages = sorted(lang for name, lang in templates if name == ref.name)
        hint = f" (languages available: {', '.join(languages)})" if languages else ""
        raise CampaignConfigError(
            f"campaign {campaign.campaign_id}: unknown template {ref.name!r} "
            f"in language {ref.language!r}{hint}"
        )
    reason = template_block_reason(template)
    if reason is not None:
        raise CampaignConfigError(
            f"campaign {campaign.campaign_id}: template: {ref.name!r} ({ref.language}) cannot "
            f"be sent: {reason}. Fix: name a sendable template, or see docs/templates.md"
        )
    problem = check_fills(template, campaign.body_fills, campaign.header, campaign.buttons)
    if problem is not None:
        raise CampaignConfigError(f"campaign {campaign.campaign_id}: {problem}")
    return template


def check_segment(campaign: Campaign, template: Template, project: ProjectSegments) -> None:
    """The campaign's segment and variables against the dbt project's segments (the
    segment's YAML: purpose, channel, template_columns); else CampaignConfigError."""
    segment = project.segments.get(campaign.segment)
    if segment is None:
        known = ", ".join(project.segments) or "none"
        raise CampaignConfigError(
            f"segment: {campaign.segment!r} is not a segment of models/segments/ (segments: {known})"
        )
    if template.category is TemplateCategory.MARKETING:
        if segment.purpose != "marketing":
            raise CampaignConfigError(
                f"segment: {segment.name} has purpose {segment.purpose!r} ({segment.sql_file}); "
                f"the MARKETING template {template.name!r} needs a segment with purpose marketing"
            )
        if segment.channel != "whatsapp":
            raise CampaignConfigError(
                f"segment: {segment.name} checks marketing consent on {segment.channel!r}, "
                "not whatsapp; a WhatsApp campaign needs `channel: whatsapp`"
            )
    for column in campaign.columns:
        if column not in segment.template_columns and column not in project.contact_columns:
            where = _where(campaign, column)
            raise CampaignConfigError(
                f"{where}: {column!r} is neither a template column of segment "
                f"{segment.name} ({', '.join(segment.template_columns) or 'none'}) "
                "nor a column of marts.dim_contacts"
            )


def _where(campaign: Campaign, column: str) -> str:
    """The YAML key that names `column` (for error messages)."""
    for number, name in campaign.variables.items():
        if name == column:
            return f"variables.{number}"
    header = campaign.header
    if header is not None:
        if header.text:
            for number, fill in header.text.items():
                if fill.column == column:
                    return f"header.text.{number}"
        elif getattr(header, header.kind).column == column:
            return f"header.{header.kind}"
    for index, button in campaign.buttons.items():
        if button.fill.column == column:
            return f"buttons.{index}.{button.kind}"
    return "variables"


def load_campaign(
    path: Path,
    templates: TemplateRegistry | None = None,
    segments: ProjectSegments | None = None,
) -> Campaign:
    """One campaign file, validated against the template registry and the project's
    segments (read from the dbt manifest when not given)."""
    try:
        campaign = Campaign.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise CampaignConfigError(f"{path}: {describe(exc)}") from exc
    try:
        registry = load_templates() if templates is None else templates
        template = check_campaign(campaign, registry)
        for position, variant in enumerate(campaign.variants):
            if variant.template is not None:
                try:
                    check_campaign(campaign.model_copy(update={"template": variant.template}), registry)
                except CampaignConfigError as exc:
                    raise CampaignConfigError(f"variants.{position}.template: {exc}") from exc
        check_segment(campaign, template, project_segments() if segments is None else segments)
    except CampaignConfigError as exc:
        raise CampaignConfigError(f"{path}: {exc}") from exc
    return campaign


def load_campaigns(
    folder: Path = CAMPAIGNS_DIR,
    templates: TemplateRegistry | None = None,
    segments: ProjectSegments | None = None,
) -> list[Campaign]:
    """Every campaign in `folder` (*.yaml), sorted by campaign_id; ids must be unique."""
    registry = load_templates() if templates is None else templates
    project = project_segments() if segments is None else segments
    campaigns = [load_campaign(path, registry, project) for path in sorted(folder.glob("*.yaml"))]
    seen: set[str] = set()
    for campaign in campaigns:
        if campaign.campaign_id in seen:
            raise CampaignConfigError(f"{folder}: duplicate campaign_id {campaign.campaign_id!r}")
        seen.add(campaign.campaign_id)
    return sorted(campaigns, key=lambda c: c.campaign_id)
