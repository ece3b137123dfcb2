"""policies.yaml: the regulation as typed, frozen data, and the pure decisions that read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from egovnet.yamlfile import read_yaml, validate

CATEGORY_CODES = ("agency", "village", "soe", "other")
APPLY_FIELDS = (
    "basis", "scope", "mode", "purpose", "bandwidth_mbps", "technical", "time_requirement", "cost_bearer",
)
CLOCKS = ("review", "construction", "change_review", "change_execution", "maintenance_notice")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class Regulation(_Frozen):
    id: str
    title: str
    issued: dt.date
    issuer: str = ""
    interpreted_by: str = ""


class Category(_Frozen):
    label: str
    article: int = Field(ge=1, le=27)
    clause: str = ""
    eligible: bool = True
    justification_required: bool = False
    budget_default: bool = True   # unit add / import: a district budget unit (Art. 25) unless told otherwise


class Range(_Frozen):
    min: int = Field(ge=1)
    max: int = Field(ge=1)


class ApplicationRules(_Frozen):
    article: int = Field(ge=1, le=27)
    required_fields: tuple[str, ...]
    bandwidth_mbps: Range

    @model_validator(mode="after")
    def _known_fields(self):
        unknown = [f for f in self.required_fields if f not in APPLY_FIELDS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}; fields are {', '.join(APPLY_FIELDS)}")
        return self


class Deadline(_Frozen):
    label: str
    working_days: int = Field(ge=1, le=250)
    article: int = Field(ge=1, le=27)


class MonthsRule(_Frozen):
    label: str
    calendar_months: int = Field(ge=1, le=60)
    article: int = Field(ge=1, le=27)
    # a day counts as use above this much traffic (in + out), so routing chatter alone stays idle
    used_bytes_per_day: int = Field(1_048_576, ge=0)
    warn_working_days: int = Field(10, ge=0, le=60)  # warn units this many working days before the limit


class Deadlines(_Frozen):
    review: Deadline
    construction: Deadline
    change_review: Deadline
    change_execution: Deadline
    maintenance_notice: Deadline
    idle_closure: MonthsRule


class ExtensionReason(_Frozen):
    label: str
    note_required: bool = False


class Extension(_Frozen):
    article: int = Field(ge=1, le=27)
    max_working_days: int = Field(ge=1, le=250)
    reasons: dict[str, ExtensionReason]


class LinkMode(_Frozen):
    label: str


class Links(_Frozen):
    article: int = Field(ge=1, le=27)
    one_link_per_address: bool = True
    modes: dict[Literal["dedicated", "vpn"], LinkMode]


class GatedFeature(_Frozen):
    label: str
    article: int = Field(ge=1, le=27)
    requires: tuple[Literal["basis", "design"], ...]


class Mlps(_Frozen):
    article: int = Field(ge=1, le=27)
    minimum_level: int = Field(ge=1, le=5)
    validity_months: dict[int, int]


class Interval(_Frozen):
    label: str
    interval_months: int = Field(ge=1, le=120)
    article: int = Field(ge=1, le=27)


class Window(_Frozen):
    label: str
    days: int = Field(ge=0, le=366)
    article: int = Field(ge=1, le=27)


class FollowUp(_Frozen):
    label: str
    article: int = Field(ge=1, le=27)


class SecurityChecks(_Frozen):
    """Art. 13, 21: how long before an MLPS assessment expires the audit lists it, how often BDC checks each unit,
    how often a unit assesses its risks, and that a failed check needs a later record that follows it up."""

    mlps_due_window: Window = Window(label="等保测评到期提醒", days=60, article=13)
    bdc_check: Interval = Interval(label="大数据中心定期安全检查", interval_months=12, article=21)
    risk_assessment: Interval = Interval(label="接入单位定期风险评估", interval_months=12, article=21)
    follow_up: FollowUp = FollowUp(label="检查不合格须整改复查", article=21)


class Limit(_Frozen):
    label: str
    value: float = Field(ge=0)
    article: int = Field(ge=1, le=27)


class Monitoring(_Frozen):
    """Art. 16, 20: the thresholds `audit health` holds each active link's monitoring samples against."""

    window: Window = Window(label="监测评估窗口", days=7, article=16)
    min_samples: int = Field(12, ge=1, le=100_000)   # fewer samples in the window: no judgement, "no data"
    availability_pct: Limit = Limit(label="可用率下限", value=99.5, article=16)
    loss_pct: Limit = Limit(label="丢包率上限", value=1.0, article=20)
    latency_ms: Limit = Limit(label="时延上限", value=50, article=20)
    utilisation_pct: Limit = Limit(label="带宽利用率上限", value=90, article=16)
    near_saturation_pct: Limit = Limit(label="接近饱和，建议资源调整", value=70, article=18)

    @model_validator(mode="after")
    def _shares(self):
        for name in ("availability_pct", "loss_pct", "utilisation_pct", "near_saturation_pct"):
            if getattr(self, name).value > 100:
                raise ValueError(f"{name}: a share is at most 100 (%)")
        if self.near_saturation_pct.value >= self.utilisation_pct.value:
            raise ValueError("near_saturation_pct must be below utilisation_pct (near saturation warns before the "
                             "limit is breached)")
        return self


class RoleDef(_Frozen):
    label: str
    articles: tuple[int, ...]


class User(_Frozen):
    roles: tuple[Literal["office", "bdc", "dept"], ...]
    name: str = ""
    dept: str | None = None


class Roles(_Frozen):
    separation_of_duties: bool = True
    definitions: dict[Literal["office", "bdc", "dept"], RoleDef]
    users: dict[str, User]


class FeeTier(_Frozen):
    up_to_mbps: int = Field(ge=1)
    monthly: float = Field(ge=0)


class Fees(_Frozen):
    article: int = Field(ge=1, le=27)
    budget_unit: Literal["budget", "unit"]
    non_budget_unit: Literal["budget", "unit"]
    currency: str = Field("CNY", min_length=1, max_length=8)
    monthly_by_bandwidth: tuple[FeeTier, ...] = ()
    shared_split: Literal["equal", "by_bandwidth"] = "equal"
    shared_split_article: int = Field(14, ge=1, le=27)

    @model_validator(mode="after")
    def _tiers_ascend(self):
        bounds = [t.up_to_mbps for t in self.monthly_by_bandwidth]
        if bounds != sorted(set(bounds)):
            raise ValueError("monthly_by_bandwidth: tiers must be listed by rising up_to_mbps, each bound once")
        return self

    def monthly_fee(self, bandwidth_mbps: int) -> float | None:
        """The monthly fee of a link of this bandwidth: the first tier that covers it; None above the last."""
        for tier in self.monthly_by_bandwidth:
            if bandwidth_mbps <= tier.up_to_mbps:
                return tier.monthly
        return None


class Severity(_Frozen):
    label: str
    basis: Literal["clock", "working"]
    respond_hours: int = Field(ge=1, le=2000)
    restore_hours: int = Field(ge=1, le=2000)
    outage: bool = True

    @model_validator(mode="after")
    def _order(self):
        if self.restore_hours < self.respond_hours:
            raise ValueError("restore_hours is shorter than respond_hours; restoring includes responding")
        return self


class WorkingHours(_Frozen):
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _span(self):
        if self.end <= self.start:
            raise ValueError("working_hours: end must be after start on the same day")
        return self


class Tickets(_Frozen):
    article: int = Field(17, ge=1, le=27)
    working_hours: WorkingHours = WorkingHours(start=dt.time(9), end=dt.time(17))
    maintenance_window_hours: int = Field(4, ge=0, le=72)
    severities: dict[Literal["p1", "p2", "p3"], Severity]
    default_severity: Literal["p1", "p2", "p3"] = "p2"

    @model_validator(mode="after")
    def _all(self):
        missing = sorted({"p1", "p2", "p3"} - set(self.severities))
        if missing:
            raise ValueError(f"severities: {missing[0]} is missing; give p1, p2 and p3")
        return self


class Statistics(_Frozen):
    min_cases: int = Field(3, ge=1, le=1000)


DEFAULT_TICKETS = Tickets(severities={
    "p1": Severity(label="多单位中断或骨干故障", basis="clock", respond_hours=1, restore_hours=4),
    "p2": Severity(label="单条链路中断", basis="working", respond_hours=2, restore_hours=8),
    "p3": Severity(label="性能下降或咨询", basis="working", respond_hours=8, restore_hours=24, outage=False)})


class CalendarRules(_Frozen):
    country: Literal["CN"] = "CN"
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self):
        both = set(self.extra_holidays) & set(self.extra_workdays)
        if both:
            raise ValueError(f"{min(both)} is listed both as a holiday and as a workday; keep one")
        return self


NOTICE_KINDS = ("approval", "rejection", "change_approval", "change_rejection", "idle_warning", "idle_closure",
                "decommission", "disconnect", "reconnect", "criticism", "annual_report")


RoleName = Literal["office", "bdc", "dept"]


class Criticism(_Frozen):
    """第二十六条: the grounds on which the Office criticises a unit in a circular (通报批评), as the article words them."""

    article: int = Field(26, ge=1, le=27)
    roles: tuple[RoleName, ...] = ("office",)
    grounds: dict[int, str]

    @model_validator(mode="after")
    def _three(self):
        if sorted(self.grounds) != [1, 2, 3]:
            raise ValueError(f"grounds: Art. 26 lists exactly the grounds 1, 2 and 3; found {sorted(self.grounds)}")
        for number, text in self.grounds.items():
            if not text.strip() or "\n" in text:
                raise ValueError(f"grounds: ground {number} needs its text from the article, on one line")
        return self


class Security(_Frozen):
    """第二十三条: the Office's emergency disconnect and reconnect; 第二十六条: its criticism notices."""

    article: int = Field(23, ge=1, le=27)
    issuer: str = Field("青浦区政务服务办公室", min_length=2, max_length=40)   # 发文机关 of the Office's notices
    disconnect_roles: tuple[RoleName, ...] = ("office",)
    reconnect_roles: tuple[RoleName, ...] = ("office",)
    reconnect_separation: bool = True   # the user who disconnected may not reconnect
    criticism: Criticism

    @model_validator(mode="after")
    def _roles(self):
        for key in ("disconnect_roles", "reconnect_roles"):
            if not getattr(self, key):
                raise ValueError(f"{key}: name at least one role (Art. 23 gives the decision to the Office)")
        return self


class NoticeContact(_Frozen):
    person: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=3, max_length=32, pattern=r"^[0-9+()\- ]+$")


class Notices(_Frozen):
    """Written notices as official documents (公文, GB/T 9704-2012): who issues them and how they are numbered."""

    issuer: str = Field("青浦区大数据中心", min_length=2, max_length=40)       # 发文机关 and 署名
    masthead: str = Field("", max_length=40)        # 发文机关标志; default: the issuer (文件格式 adds 文件)
    # 文号: prefix〔year〕N号, one gap-free sequence per prefix and year; no path or bracket characters
    number_prefix: str = Field("青数", min_length=1, max_length=16, pattern=r"^[^\s/\\〔〕\[\]]+$")
    format: Literal["letter", "file"] = "letter"    # letter: 信函格式 (函); file: 文件格式 (红头文件)
    formats: dict[str, Literal["letter", "file"]] = {}
    contact: NoticeContact = NoticeContact(person="网络管理科", phone="021-00000000")  # 附注
    printed_by: str = Field("", max_length=40)      # 版记: 印发机关; default: the issuer

    @model_validator(mode="after")
    def _kinds(self):
        unknown = sorted(set(self.formats) - set(NOTICE_KINDS))
        if unknown:
            raise ValueError(f"formats: unknown notice kind {unknown[0]!r}; kinds are {', '.join(NOTICE_KINDS)}")
        return self

    def format_of(self, kind: str) -> str:
        # the annual report (报告) goes up to the competent authority: 文件格式 unless the policy names its format
        return self.formats.get(kind, "file" if kind == "annual_report" else self.format)


class Evaluation(_Frozen):
    """第二十四条: the annual evaluation; when a figure calls for a proposed fix."""

    article: int = Field(24, ge=1, le=27)
    report_to: str = Field("区政务服务办公室", min_length=2, max_length=40)   # 主送 of the report (Art. 6)
    repeated_late: int = Field(2, ge=1, le=1000)      # a town with this many late cases of one clock gets a fix
    repeated_idle: int = Field(2, ge=1, le=1000)      # ... this many links closed for non-use (Art. 15)
    min_coverage: float = Field(0.9, ge=0, le=1)      # link-days with usage data below this share (Art. 16)


class Policy(_Frozen):
    regulation: Regulation
    unit_categories: dict[str, Category]
    application: ApplicationRules
    deadlines: Deadlines
    construction_extension: Extension
    links: Links
    gated_features: dict[Literal["encryption", "nat"], GatedFeature]
    mlps: Mlps
    roles: Roles
    fees: Fees
    # who acts: `os` = the operating-system account running egovnet; `declared` = EGOVNET_USER / --user (demos, tests)
    identity: Literal["os", "declared"] = "os"
    calendar: CalendarRules = CalendarRules()
    notices: Notices = Notices()
    security_checks: SecurityChecks = SecurityChecks()
    monitoring: Monitoring = Monitoring()
    tickets: Tickets = DEFAULT_TICKETS
    statistics: Statistics = Statistics()
    security: Security | None = None
    evaluation: Evaluation = Evaluation()
    source: str = ""

    @model_validator(mode="after")
    def _categories(self):
        if set(self.unit_categories) != set(CATEGORY_CODES):
            missing = sorted(set(CATEGORY_CODES) - set(self.unit_categories))
            extra = sorted(set(self.unit_categories) - set(CATEGORY_CODES))
            what = f"missing {missing}" if missing else f"unknown {extra}"
            raise ValueError(f"unit_categories: Art. 9 defines exactly {', '.join(CATEGORY_CODES)}; {what}")
        return self

    # ---- pure decisions -------------------------------------------------------------------

    def user(self, name: str) -> User | None:
        return self.roles.users.get(name)

    def cost_bearer_for(self, budget_unit: bool) -> str:
        return self.fees.budget_unit if budget_unit else self.fees.non_budget_unit

    def mlps_valid_until(self, level: int | None, assessed: dt.date | None) -> dt.date | None:
        if level is None or assessed is None:
            return None
        months = self.mlps.validity_months.get(level)
        if months is None:  # levels above the table's highest keep its shortest validity
            months = min(self.mlps.validity_months.values()) if self.mlps.validity_months else 12
        return add_months(assessed, months)

    def summary(self) -> dict:
        d = self.deadlines
        return {
            "source": self.source,
            "regulation": {"id": self.regulation.id, "title": self.regulation.title,
                           "issued": self.regulation.issued.isoformat()},
            "unit_categories": sorted(self.unit_categories),
            "deadlines": {
                **{name: getattr(d, name).working_days for name in CLOCKS},
                "idle_closure_months": d.idle_closure.calendar_months,
            },
            "link_modes": sorted(self.links.modes),
            "gated_features": sorted(self.gated_features),
            "mlps_minimum_level": self.mlps.minimum_level,
            "users": len(self.roles.users),
            "identity": self.identity,
            "calendar_overrides": len(self.calendar.extra_holidays) + len(self.calendar.extra_workdays),
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` calendar months later, clamped to the month's end (11-30 + 3 -> 02-28)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def load_policy(path: Path) -> Policy:
    data, lines, source = read_yaml(Path(path), label=str(path))
    if not isinstance(data, dict):
        from egovnet.errors import InvalidPolicy

        raise InvalidPolicy(f"{source}:1: (top level): the policy must be a mapping of sections")
    policy = validate(Policy, data, lines, source)
    return policy.model_copy(update={"source": source})
