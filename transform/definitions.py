"""The agreed lead definitions: read, validated, and written to the warehouse.

``transform/lead_definitions.yml`` is the contract between marketing and sales. This module
reads it (the path is the one setting :func:`ingestion.settings.definitions_path`),
validates it with pydantic so a typo fails loudly with the field's path, and turns it into
small tables in the warehouse's ``definitions`` schema, which the dbt models join to. The
quality checks and the dashboards read the same file through :func:`load_definitions`.
"""

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ingestion import settings

SCHEMA = "definitions"
CHANNEL_SYSTEMS = ("marketing_automation", "crm", "web_analytics")

# The fixed meanings of each vocabulary's values (the `vocabularies` section). The models
# decide by these words; a vendor value that means none of them is listed with `~`.
LEAD_STATUS_MEANINGS = (
    "open",
    "working",
    "accepted",
    "rejected",
    "qualified",
    "disqualified",
    "converted",
)
FORM_TYPES = ("newsletter", "content_download", "webinar", "demo_request", "contact_sales")
LIFECYCLE_STAGE_KEYS = "the keys of lifecycle_stages"
VOCABULARY_MEANINGS: dict[str, tuple[str, tuple[str, ...] | str]] = {
    # vocabulary: (source system, meanings)
    "crm_lead_status": ("crm", LEAD_STATUS_MEANINGS),
    "crm_opportunity_stage": ("crm", ("open", "won", "lost")),
    "marketing_lifecycle_stage": ("marketing_automation", LIFECYCLE_STAGE_KEYS),
    "marketing_lead_status": ("marketing_automation", LEAD_STATUS_MEANINGS),
    "marketing_email_event_type": (
        "marketing_automation",
        (
            "delivery",
            "open",
            "click",
            "forward",
            "print",
            "bounce",
            "unsubscribe",
            "spam_report",
            "subscription_change",
        ),
    ),
    "marketing_form_type": ("marketing_automation", FORM_TYPES),
    "marketing_form_id": ("marketing_automation", FORM_TYPES),
    "marketing_form_name": ("marketing_automation", FORM_TYPES),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignOff(_Strict):
    marketing: str
    sales: str
    date: dt.date


class BusinessHours(_Strict):
    time_zone: str
    weekdays: list[int] = Field(min_length=1)
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _ordered(self):
        if self.start >= self.end:
            raise ValueError("business_hours.start must be before business_hours.end")
        if not set(self.weekdays) <= set(range(1, 8)):
            raise ValueError("business_hours.weekdays are ISO days, 1 (Monday) to 7 (Sunday)")
        return self


class LifecycleStage(_Strict):
    key: str
    name: str
    definition: str


class IdealCustomerProfile(_Strict):
    min_employees: int = Field(ge=0)
    industries: list[str] = Field(min_length=1)
    countries: list[str] = Field(min_length=1)


class MqlRule(_Strict):
    version: int
    in_force_from: dt.date
    score_threshold: int = Field(ge=0)
    high_intent_form_types: list[str]
    ideal_customer_profile: IdealCustomerProfile
    excluded_email_domains: list[str]

    @field_validator("excluded_email_domains")
    @classmethod
    def _lower_case(cls, domains: list[str]) -> list[str]:
        return [d.strip().lower() for d in domains]


class SalesSla(_Strict):
    first_touch_within_business_hours: float = Field(gt=0)
    follow_up_attempts: int = Field(ge=0)
    follow_up_within_days: int = Field(gt=0)
    accept_or_reject_within_business_hours: float = Field(gt=0)
    rejection_reasons: list[str]
    unreached_rejection_reasons: list[str] = []

    @model_validator(mode="after")
    def _unreached_are_rejection_reasons(self):
        unknown = set(self.unreached_rejection_reasons) - set(self.rejection_reasons)
        if unknown:
            raise ValueError(
                f"unreached_rejection_reasons not among rejection_reasons: {sorted(unknown)}"
            )
        return self


class MarketingSla(_Strict):
    monthly_mql_target: int | None = Field(default=None, gt=0)
    monthly_new_revenue_goal: float | None = Field(default=None, gt=0)
    conversion_window_days: int = Field(gt=0)

    @model_validator(mode="after")
    def _target_or_goal(self):
        if self.monthly_mql_target is None and self.monthly_new_revenue_goal is None:
            raise ValueError("marketing_sla needs monthly_mql_target or monthly_new_revenue_goal")
        return self


class SqlRule(_Strict):
    definition: str
    disqualification_reasons: list[str]


class OpportunityRule(_Strict):
    definition: str
    sales_sourced_lead_sources: list[str]


class RuleTolerance(_Strict):
    """How many records may break one definition rule before the gate stops publishing:
    a share of the rows the rule judges (``max_share``, 0 to 1) or a count (``max_count``).
    Records within it are listed in ``quality.rule_exceptions`` and published; above it the
    rule blocks. A rule without an entry tolerates none (0)."""

    max_share: float | None = Field(default=None, ge=0, le=1)
    max_count: int | None = Field(default=None, ge=0)
    agreed_because: str | None = None

    @model_validator(mode="after")
    def _share_or_count(self):
        if (self.max_share is None) == (self.max_count is None):
            raise ValueError("a rule tolerance sets exactly one of max_share, max_count")
        return self

    def allowed(self, rows_checked: int) -> int:
        """The most records breaking the rule that still publish, out of `rows_checked`."""
        if self.max_share is None:
            return self.max_count or 0
        return int(self.max_share * rows_checked + 1e-9)

    def describe(self) -> str:
        if self.max_share is None:
            return f"{self.max_count:,} record{'s' if self.max_count != 1 else ''}"
        return f"{self.max_share * 100:g}% of the rows judged"


class PlausibleValues(_Strict):
    """Which dates are possible at all: from ``earliest_date`` (the company's first record)
    to the run date plus ``days_after_run``; a scheduled date (a close date, a due date, a
    campaign's end) up to the run date plus ``scheduled_days_after_run``."""

    earliest_date: dt.date
    days_after_run: int = Field(ge=0)
    scheduled_days_after_run: int = Field(ge=0)

    @model_validator(mode="after")
    def _scheduled_reach_further(self):
        if self.scheduled_days_after_run < self.days_after_run:
            raise ValueError("scheduled_days_after_run is at least days_after_run")
        return self

    def latest_date(self, run_date: dt.date, scheduled: bool = False) -> dt.date:
        days = self.scheduled_days_after_run if scheduled else self.days_after_run
        return run_date + dt.timedelta(days=days)


class Attribution(_Strict):
    lookback_days: int = Field(gt=0)
    u_shaped_first_last_share: float = Field(gt=0, le=0.5)
    w_shaped_first_lead_opportunity_share: float = Field(gt=0, le=1 / 3)
    time_decay_half_life_days: float = Field(gt=0)


class Channel(_Strict):
    key: str
    name: str
    marketing_automation: list[str] = []
    crm: list[str] = []
    web_analytics: list[str] = []


class Segment(_Strict):
    key: str
    name: str
    min_employees: int = Field(ge=0)


class Web(_Strict):
    session_timeout_minutes: int = Field(gt=0)


class Vocabulary(_Strict):
    """One vendor vocabulary: each source value and what it means (None: nothing agreed)."""

    name: str
    values: dict[str, str | None]

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, values):
        # YAML reads unquoted numbers (HubSpot's custom stage ids) and yes/no as non-text.
        return {str(value): meaning for value, meaning in (values or {}).items()}

    @model_validator(mode="after")
    def _no_value_twice(self):
        keys = [value.strip().lower() for value in self.values]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"values listed twice (case and spaces ignored): {repeated}")
        return self


class LeadDefinitions(_Strict):
    """The whole agreed definitions file."""

    version: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")  # ISO 4217: the amounts' currency
    signed_off: SignOff
    business_hours: BusinessHours
    lifecycle_stages: list[LifecycleStage] = Field(min_length=2)
    mql_rules: list[MqlRule] = Field(min_length=1)
    sales_sla: SalesSla
    marketing_sla: MarketingSla
    sql_rule: SqlRule
    opportunity_rule: OpportunityRule
    quality_tolerances: dict[str, RuleTolerance] = {}
    plausible_values: PlausibleValues
    channels: list[Channel] = Field(min_length=1)
    segments: list[Segment] = Field(min_length=1)
    attribution: Attribution
    web: Web
    # A campaign spelling no rule matches -> the campaign it means (an id or a name).
    campaign_aliases: dict[str, str] = {}
    vocabularies: dict[str, Vocabulary]

    @field_validator("campaign_aliases", mode="before")
    @classmethod
    def _aliases_as_text(cls, aliases):
        # YAML reads an unquoted year (a campaign named 2026) as a number.
        return {str(value): str(campaign) for value, campaign in (aliases or {}).items()}

    @model_validator(mode="after")
    def _vocabularies_complete_and_meaningful(self):
        missing = sorted(set(VOCABULARY_MEANINGS) - set(self.vocabularies))
        unknown = sorted(set(self.vocabularies) - set(VOCABULARY_MEANINGS))
        if missing or unknown:
            raise ValueError(
                f"vocabularies: missing {missing}, unknown {unknown}; expected "
                f"{sorted(VOCABULARY_MEANINGS)}"
            )
        for key, vocabulary in self.vocabularies.items():
            _, meanings = VOCABULARY_MEANINGS[key]
            if meanings == LIFECYCLE_STAGE_KEYS:
                meanings = tuple(stage.key for stage in self.lifecycle_stages)
            wrong = sorted(
                {m for m in vocabulary.values.values() if m is not None and m not in meanings}
            )
            if wrong:
                raise ValueError(
                    f"vocabularies.{key}: meanings {wrong} are not among {list(meanings)}"
                )
        for rule in self.mql_rules:
            unknown_forms = sorted(set(rule.high_intent_form_types) - set(FORM_TYPES))
            if unknown_forms:
                raise ValueError(
                    f"mql_rules version {rule.version}: high_intent_form_types "
                    f"{unknown_forms} are not agreed form types {list(FORM_TYPES)}"
                )
        return self

    @model_validator(mode="after")
    def _rules_in_order(self):
        dates = [rule.in_force_from for rule in self.mql_rules]
        if dates != sorted(set(dates)):
            raise ValueError("mql_rules must be listed oldest first, one per in_force_from date")
        for name, items in (
            ("lifecycle_stages", self.lifecycle_stages),
            ("channels", self.channels),
            ("segments", self.segments),
        ):
            keys = [item.key for item in items]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name} keys must be unique")
        for system in CHANNEL_SYSTEMS:
            values = [v for channel in self.channels for v in getattr(channel, system)]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"channels: {system} values listed under two channels: {repeated}")
        bars = [segment.min_employees for segment in self.segments]
        if bars[0] != 0 or bars != sorted(set(bars)):
            raise ValueError("segments must start at min_employees 0 and grow")
        return self


class DefinitionsError(ValueError):
    """The definitions file is missing or breaks the agreed shape."""


def load_definitions(path: Path | None = None) -> LeadDefinitions:
    """Read and validate the definitions file (default: the configured one)."""
    path = path or settings.definitions_path()
    try:
        return LeadDefinitions.model_validate(yaml.safe_load(path.read_text()))
    except FileNotFoundError as error:
        raise DefinitionsError(f"{path}: no definitions file") from error
    except ValueError as error:  # pydantic's ValidationError and YAML errors
        raise DefinitionsError(f"{path}: {error}") from error


def definition_tables(definitions: LeadDefinitions) -> dict[str, pa.Table]:
    """The definitions as the tables of the warehouse's `definitions` schema."""
    version = definitions.version
    rules = definitions.mql_rules
    until = [r.in_force_from for r in rules[1:]] + [None]
    rule_lists = [
        (rule.version, kind, value)
        for rule in rules
        for kind, values in (
            ("industry", rule.ideal_customer_profile.industries),
            ("country", rule.ideal_customer_profile.countries),
            ("excluded_email_domain", rule.excluded_email_domains),
            ("high_intent_form_type", rule.high_intent_form_types),
        )
        for value in values
    ]
    reasons = (
        [("rejection", r) for r in definitions.sales_sla.rejection_reasons]
        + [("unreached_rejection", r) for r in definitions.sales_sla.unreached_rejection_reasons]
        + [("disqualification", r) for r in definitions.sql_rule.disqualification_reasons]
    )
    channel_values = [
        (channel.key, system, value)
        for channel in definitions.channels
        for system in CHANNEL_SYSTEMS
        for value in getattr(channel, system)
    ]
    vocabulary_values = [
        (key, vocabulary.name, VOCABULARY_MEANINGS[key][0], value, meaning, order)
        for key, vocabulary in definitions.vocabularies.items()
        for order, (value, meaning) in enumerate(vocabulary.values.items(), start=1)
    ] + [
        # HubSpot's original source is a vocabulary too; its one home is `channels`.
        (
            "marketing_original_source",
            "HubSpot original source (hs_analytics_source)",
            "marketing_automation",
            value,
            key,
            order,
        )
        for order, (key, value) in enumerate(
            [(k, v) for k, system, v in channel_values if system == "marketing_automation"], start=1
        )
    ]
    segments = definitions.segments
    sla, marketing = definitions.sales_sla, definitions.marketing_sla
    hours, attribution = definitions.business_hours, definitions.attribution
    return {
        "lifecycle_stages": pa.table(
            {
                "stage_order": list(range(1, len(definitions.lifecycle_stages) + 1)),
                "stage_key": [s.key for s in definitions.lifecycle_stages],
                "stage_name": [s.name for s in definitions.lifecycle_stages],
                "definition": [s.definition for s in definitions.lifecycle_stages],
            }
        ),
        "mql_rules": pa.table(
            {
                "mql_rule_version": [r.version for r in rules],
                "in_force_from": [r.in_force_from for r in rules],
                "in_force_until": pa.array(until, pa.date32()),
                "score_threshold": [r.score_threshold for r in rules],
                "min_employees": [r.ideal_customer_profile.min_employees for r in rules],
            }
        ),
        "mql_rule_lists": pa.table(
            {
                "mql_rule_version": [r[0] for r in rule_lists],
                "list_name": [r[1] for r in rule_lists],
                "list_value": [r[2] for r in rule_lists],
            }
        ),
        "reasons": pa.table(
            {
                "reason_kind": [r[0] for r in reasons],
                "reason": [r[1] for r in reasons],
            }
        ),
        "lead_source_lists": pa.table(
            {
                "list_name": ["sales_sourced"]
                * len(definitions.opportunity_rule.sales_sourced_lead_sources),
                "lead_source": definitions.opportunity_rule.sales_sourced_lead_sources,
            }
        ),
        "channels": pa.table(
            {
                "channel_order": list(range(1, len(definitions.channels) + 1)),
                "channel_key": [c.key for c in definitions.channels],
                "channel_name": [c.name for c in definitions.channels],
            }
        ),
        "channel_source_values": pa.table(
            {
                "source_system": [s for _, s, _ in channel_values],
                "source_value": [v for _, _, v in channel_values],
                "channel_key": [k for k, _, _ in channel_values],
            }
        ),
        "vocabulary_values": pa.table(
            {
                "vocabulary": [v[0] for v in vocabulary_values],
                "vocabulary_name": [v[1] for v in vocabulary_values],
                "source_system": [v[2] for v in vocabulary_values],
                "source_value": [v[3] for v in vocabulary_values],
                # What staging compares: the value ignoring case and surrounding spaces, with
                # `*` as a wildcard (a SQL LIKE pattern) in form names.
                "match_value": [_match_value(v[0], v[3]) for v in vocabulary_values],
                "is_pattern": [v[0] == "marketing_form_name" for v in vocabulary_values],
                "meaning": pa.array([v[4] for v in vocabulary_values], pa.string()),
                # The value's place in its list: of several patterns, the first match wins.
                "value_order": [v[5] for v in vocabulary_values],
            },
            schema=VOCABULARY_SCHEMA,
        ),
        "campaign_aliases": pa.table(
            {
                "alias": list(definitions.campaign_aliases),
                "campaign": list(definitions.campaign_aliases.values()),
            },
            schema=pa.schema([("alias", pa.string()), ("campaign", pa.string())]),
        ),
        "segments": pa.table(
            {
                "segment_order": list(range(1, len(segments) + 1)),
                "segment_key": [s.key for s in segments],
                "segment_name": [s.name for s in segments],
                "min_employees": [s.min_employees for s in segments],
                "max_employees_below": pa.array(
                    [s.min_employees for s in segments[1:]] + [None], pa.int64()
                ),
            }
        ),
        "terms": pa.table(
            {
                "definitions_version": [version],
                "currency_code": [definitions.currency],
                "signed_off_by_marketing": [definitions.signed_off.marketing],
                "signed_off_by_sales": [definitions.signed_off.sales],
                "signed_off_on": [definitions.signed_off.date],
                "business_hours_time_zone": [hours.time_zone],
                "business_weekdays": [",".join(str(d) for d in hours.weekdays)],
                "business_day_start": [hours.start],
                "business_day_end": [hours.end],
                "first_touch_within_business_hours": [sla.first_touch_within_business_hours],
                "follow_up_attempts": [sla.follow_up_attempts],
                "follow_up_within_days": [sla.follow_up_within_days],
                "accept_or_reject_within_business_hours": [
                    sla.accept_or_reject_within_business_hours
                ],
                "monthly_mql_target": pa.array([marketing.monthly_mql_target], pa.int64()),
                "monthly_new_revenue_goal": pa.array(
                    [marketing.monthly_new_revenue_goal], pa.float64()
                ),
                "conversion_window_days": [marketing.conversion_window_days],
                "attribution_lookback_days": [attribution.lookback_days],
                "u_shaped_first_last_share": [attribution.u_shaped_first_last_share],
                "w_shaped_first_lead_opportunity_share": [
                    attribution.w_shaped_first_lead_opportunity_share
                ],
                "time_decay_half_life_days": [attribution.time_decay_half_life_days],
                "session_timeout_minutes": [definitions.web.session_timeout_minutes],
                "earliest_plausible_date": [definitions.plausible_values.earliest_date],
                "plausible_days_after_run": [definitions.plausible_values.days_after_run],
                "scheduled_days_after_run": [definitions.plausible_values.scheduled_days_after_run],
            }
        ),
    }


VOCABULARY_SCHEMA = pa.schema(
    [
        ("vocabulary", pa.string()),
        ("vocabulary_name", pa.string()),
        ("source_system", pa.string()),
        ("source_value", pa.string()),
        ("match_value", pa.string()),
        ("is_pattern", pa.bool_()),
        ("meaning", pa.string()),
        ("value_order", pa.int64()),
    ]
)


def _match_value(vocabulary: str, value: str) -> str:
    value = value.strip().lower()
    if vocabulary == "marketing_form_name":
        value = (
            value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
        )
    return value


def write_definitions(definitions: LeadDefinitions) -> dict[str, int]:
    """Replace the `definitions` schema's tables in one transaction; rows per table."""
    tables = definition_tables(definitions)
    settings.warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, table in tables.items():
            con.register("definition_rows", table)
            con.execute(f"create or replace table {SCHEMA}.{name} as select * from definition_rows")
            con.unregister("definition_rows")
        con.execute("commit")
    return {name: table.num_rows for name, table in tables.items()}
