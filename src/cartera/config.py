"""Configuration: the ``cartera.toml`` file, validated by pydantic.

Every section has defaults, so an empty file (or none) is a valid configuration.
A section is owned by the layer that reads it: ``input`` by ``cartera.io``,
``ageing`` and ``money`` by ``cartera.features``, ``value`` and ``risk`` by
``cartera.models``, and the rest by ``cartera.policy`` and ``cartera.report``.

Example::

    [input.invoices]
    path = "ledger.csv"
    [input.invoices.columns]      # canonical name = column in the file
    invoice_id = "invoiceNumber"
    account_id = "customerID"
    [input.invoices.date_formats]
    issue_date = "%m/%d/%Y"

    [pyramid]
    shares = [0.10, 0.30, 0.60]
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cartera.errors import ConfigError

TableName = Literal["invoices", "payments", "transactions", "accounts", "leads", "fx"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableSource(_Section):
    """How to read one input file and map its columns to a canonical table."""

    path: Path | None = Field(
        None, description="File to read; relative to the config file's folder."
    )
    delimiter: str | None = Field(
        None, description="Field separator; detected when unset."
    )
    encoding: str | None = Field(
        None, description="Text encoding; detected when unset."
    )
    decimal: Literal[".", ","] | None = Field(
        None, description="Decimal mark of amounts; detected when unset."
    )
    sheet: str | None = Field(
        None, description="Excel sheet name; the first when unset."
    )
    header: bool | None = Field(
        None,
        description="Whether the first line names the columns; detected when unset.",
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="Canonical column name -> column in the file."
    )
    date_formats: dict[str, str] = Field(
        default_factory=dict, description="Canonical date column -> strptime format."
    )
    constants: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical column -> value for every row, e.g. currency = 'EUR'.",
    )


class InputConfig(_Section):
    invoices: TableSource = Field(default_factory=TableSource)
    payments: TableSource = Field(default_factory=TableSource)
    transactions: TableSource = Field(default_factory=TableSource)
    accounts: TableSource = Field(default_factory=TableSource)
    leads: TableSource = Field(default_factory=TableSource)
    fx: TableSource = Field(default_factory=TableSource)

    def source(self, table: TableName) -> TableSource:
        source: TableSource = getattr(self, table)
        return source


class AgeingConfig(_Section):
    """Upper bounds in days past due of the overdue buckets; the last is open-ended."""

    bounds: list[int] = Field(
        default_factory=lambda: [30, 60, 90],
        description="Upper day bounds of the overdue buckets; the last is open-ended.",
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> AgeingConfig:
        if not self.bounds or any(b <= 0 for b in self.bounds):
            raise ValueError("ageing bounds must be positive day counts")
        if sorted(set(self.bounds)) != self.bounds:
            raise ValueError("ageing bounds must be strictly increasing")
        return self

    def bucket_names(self) -> list[str]:
        """Return bucket names such as ``current, 1_30, 31_60, 61_90, over_90``."""
        names = ["current"]
        lower = 1
        for upper in self.bounds:
            names.append(f"{lower}_{upper}")
            lower = upper + 1
        names.append(f"over_{self.bounds[-1]}")
        return names


class MoneyConfig(_Section):
    """Reporting currency and FX rates (units of reporting currency per unit)."""

    reporting_currency: str | None = Field(
        None, description="ISO 4217 code that account totals are converted to."
    )
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Currency -> units of the reporting currency per unit.",
    )
    minor_units: int = Field(2, ge=0, le=4, description="Decimal places of amounts.")


class ValueConfig(_Section):
    model: Literal["best", "bgnbd", "pareto"] = Field(
        "best", description="Purchase model; best picks it on a holdout."
    )
    unit: Literal["weeks", "days"] = Field(
        "weeks", description="Time unit of the purchase models."
    )
    horizon_months: float = Field(
        12.0, gt=0, description="Horizon of CLV and expected purchases, in months."
    )
    margin: float = Field(0.3, gt=0, le=1, description="Gross margin share of revenue.")
    monthly_discount_rate: float = Field(
        0.01, ge=0, lt=1, description="Discount rate per month applied to CLV."
    )
    interval: float = Field(0.9, gt=0, lt=1, description="Coverage of CLV intervals.")
    draws: int = Field(200, ge=20, description="Parameter draws for the intervals.")
    seed: int = Field(0, ge=0, description="Seed of the parameter draws.")
    holdout_share: float = Field(
        1 / 3,
        gt=0,
        lt=1,
        description="Share of the history held out to choose the 'best' model.",
    )
    min_holdout_purchases: int = Field(
        20, ge=1, description="Repeat purchases a holdout needs to choose a model."
    )


class RiskConfig(_Section):
    min_history: int = Field(
        3, ge=0, description="Settled invoices below which segment rates are used."
    )


class ConversionConfig(_Section):
    exclude: list[str] = Field(
        default_factory=list,
        description="Lead columns never used as features, such as fields the "
        "sales team fills in after follow-up.",
    )
    max_retained_share: float = Field(
        0.4,
        gt=0,
        description="Leakage guard: retained share up to which a column is "
        "dropped as a proxy of a column that is near perfect where filled (the "
        "column's information on the outcome once that one is known, relative "
        "to the outcome's uncertainty left open).",
    )
    min_proxy_auc: float = Field(
        0.6,
        ge=0.5,
        le=1,
        description="Leakage guard: AUC of a column alone from which it is "
        "tested as a proxy.",
    )
    min_known: int = Field(
        50, ge=10, description="Leads with a known outcome needed to fit the model."
    )
    folds: int = Field(
        5, ge=2, description="Folds for scoring leads that also trained the model."
    )


class PriorityConfig(_Section):
    growth_weight: float = Field(
        1.0, ge=0, description="Weight of expected future margin in the score."
    )
    collection_weight: float = Field(
        1.0, ge=0, description="Weight of receivables at risk in the score."
    )
    prospect_weight: float = Field(
        1.0, ge=0, description="Weight of a lead's expected first-year value."
    )
    collection_half_life_days: float = Field(
        90.0,
        gt=0,
        description="Days past due at which the chance that a contact still "
        "changes the outcome of an invoice has halved.",
    )
    growth_basis: Literal["clv", "recent_spend"] = Field(
        "clv",
        description="Growth term: CLV x P(alive) from the value model, or past "
        "spend discounted by recency (see recency_half_life_days).",
    )
    recency_half_life_days: float = Field(
        90.0,
        gt=0,
        description="Days since the last purchase at which the recent-spend "
        "growth term has halved.",
    )


class PyramidConfig(_Section):
    mode: Literal["shares", "capacity"] = Field(
        "shares", description="Cut tiers by shares or by the team's capacity."
    )
    shares: list[float] = Field(
        default_factory=lambda: [0.10, 0.30, 0.60],
        description="Shares of accounts in tiers 1, 2 and 3.",
    )
    hysteresis_margin: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="How far, as a share of the accounts ranked, an account must "
        "rank past a tier boundary to leave its previous tier.",
    )

    @model_validator(mode="after")
    def _check_shares(self) -> PyramidConfig:
        if len(self.shares) != 3 or any(s <= 0 for s in self.shares):
            raise ValueError("pyramid shares must be three positive numbers")
        if abs(sum(self.shares) - 1.0) > 1e-6:
            raise ValueError(f"pyramid shares must add up to 1, got {sum(self.shares)}")
        if not self.shares[0] < self.shares[1] < self.shares[2]:
            raise ValueError("pyramid shares must grow from tier 1 to tier 3")
        return self


class CapacityConfig(_Section):
    contacts_minutes_per_week: float = Field(
        600.0, gt=0, description="Team minutes per week for account contacts."
    )
    minutes_per_contact: dict[str, float] = Field(
        default_factory=lambda: {"1": 30.0, "2": 10.0},
        description="Minutes per contact for tier 1 and tier 2 accounts.",
    )
    tier1_time_share: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Share of the weekly minutes spent on tier 1 accounts; tier 2 "
        "gets the rest.",
    )


Channel = Literal["email", "phone", "letter", "escalation"]

# Minutes a collection action takes when a dunning level sets none.
DEFAULT_CHANNEL_MINUTES: dict[str, float] = {
    "email": 2.0,
    "phone": 10.0,
    "letter": 5.0,
    "escalation": 15.0,
}


class DunningLevel(_Section):
    min_days_past_due: int = Field(ge=0)
    action: str
    channel: Channel
    minutes: float | None = Field(
        None, gt=0, description="Minutes one action takes; by channel when unset."
    )

    def action_minutes(self) -> float:
        """Return the minutes one action of this level takes."""
        if self.minutes is not None:
            return self.minutes
        return DEFAULT_CHANNEL_MINUTES[self.channel]


class DunningConfig(_Section):
    levels: list[DunningLevel] = Field(
        default_factory=lambda: [
            DunningLevel(min_days_past_due=1, action="reminder", channel="email"),
            DunningLevel(min_days_past_due=31, action="call", channel="phone"),
            DunningLevel(
                min_days_past_due=61, action="formal letter", channel="letter"
            ),
            DunningLevel(min_days_past_due=91, action="escalate", channel="escalation"),
        ],
        description="Ordered dunning levels: min_days_past_due, action, channel "
        "(email, phone, letter, escalation) and optional minutes.",
    )
    weekly_minutes: float = Field(
        600.0, gt=0, description="Team minutes per week for collection actions."
    )

    @model_validator(mode="after")
    def _check_levels(self) -> DunningConfig:
        days = [level.min_days_past_due for level in self.levels]
        if not days:
            raise ValueError("dunning needs at least one level")
        if sorted(set(days)) != days:
            raise ValueError(
                "dunning levels must have strictly increasing min_days_past_due, "
                f"got {days}"
            )
        return self


class SegmentsConfig(_Section):
    attributes: list[str] = Field(
        default_factory=list, description="Account columns that form segments."
    )
    bins: dict[str, list[float]] = Field(
        default_factory=dict, description="Numeric attribute -> bin edges."
    )
    max_clusters: int = Field(
        6, ge=2, description="Largest number of behaviour clusters tried."
    )
    rfm_bins: int = Field(5, ge=2, le=10, description="Scores per RFM dimension.")


class ReportConfig(_Section):
    lang: Literal["en", "es"] = Field("en", description="Output language.")


class Config(_Section):
    """The whole configuration of one run."""

    input: InputConfig = Field(default_factory=InputConfig)
    ageing: AgeingConfig = Field(default_factory=AgeingConfig)
    money: MoneyConfig = Field(default_factory=MoneyConfig)
    value: ValueConfig = Field(default_factory=ValueConfig)
    risk: RiskConfig = Field(default_factory=RiskConfig)
    conversion: ConversionConfig = Field(default_factory=ConversionConfig)
    priority: PriorityConfig = Field(default_factory=PriorityConfig)
    pyramid: PyramidConfig = Field(default_factory=PyramidConfig)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    dunning: DunningConfig = Field(default_factory=DunningConfig)
    segments: SegmentsConfig = Field(default_factory=SegmentsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)


def load_config(path: Path | None) -> Config:
    """Read and validate ``cartera.toml``; ``None`` gives the defaults.

    Relative input paths in the file are resolved against the file's folder.

    Raises
    ------
    ConfigError
        The file is missing, is not valid TOML, or breaks the schema.
    """
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {path} not found", hint="check the --config path"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML: {exc}",
            hint="fix the line named above",
        ) from exc
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"config file {path} is invalid: {problems}",
            hint="correct those keys; docs/configuration.md lists every key",
        ) from exc
    base = path.parent
    for name in ("invoices", "payments", "transactions", "accounts", "leads", "fx"):
        source = config.input.source(name)  # type: ignore[arg-type]
        if source.path is not None and not source.path.is_absolute():
            source.path = base / source.path
    return config


def describe_keys() -> str:
    """Render every configuration key with its default as Markdown.

    ``docs/configuration.md`` is this text; a test keeps the two equal.
    """
    lines = [
        "# Configuration keys",
        "",
        "Every key of `cartera.toml`, by section, with its default. Each input",
        "table (`invoices`, `payments`, `transactions`, `accounts`, `leads`, `fx`)",
        "has its own `[input.<table>]` section with the keys of `input.invoices`.",
        "",
    ]
    for section, field in Config.model_fields.items():
        model = field.annotation
        if section == "input":
            section, model = "input.invoices", TableSource
        assert isinstance(model, type) and issubclass(model, BaseModel)
        lines += [f"## [{section}]", "", "| key | default | meaning |", "|---|---|---|"]
        defaults = model()
        for name, info in model.model_fields.items():
            default = getattr(defaults, name)
            if isinstance(default, BaseModel):
                default = default.model_dump(mode="json")
            elif (
                isinstance(default, list)
                and default
                and isinstance(default[0], BaseModel)
            ):
                default = [item.model_dump(mode="json") for item in default]
            meaning = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | `{default!r}` | {meaning} |")
        lines.append("")
    return "\n".join(lines)
