"""Every table egovnet keeps. Only constructs that also run on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# Table models are built from rows and never validated, so pydantic's validators for them are built on first use
# only (pydantic's defer_build): a third of this module's import time, paid by every command that reads the
# database. egovnet defines no other SQLModel class.
SQLModel.model_config["defer_build"] = True


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Department(SQLModel, table=True):
    """业务主管部门 (supervising department, Art. 10): files applications for its units."""

    __tablename__ = "department"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    contact: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ImportBatch(SQLModel, table=True):
    """One imported spreadsheet (units, applications): what it held and what it did; reruns are recognised."""

    __tablename__ = "import_batch"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    source: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    rows: int = Field(default=0)
    created: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    rejected: int = Field(default=0)
    actor: str = Field(max_length=64)
    effective_date: dt.date
    at: dt.datetime = Field(default_factory=utcnow)


class Unit(SQLModel, table=True):
    """接入单位 (access unit). Its Chinese name stays here; only ``code`` may reach a device."""

    __tablename__ = "unit"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    code: str = Field(max_length=31, unique=True, index=True)
    category: str = Field(max_length=16)
    dept_id: int = Field(foreign_key="department.id", index=True)
    town: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=128)
    address_key: str = Field(default="", max_length=128, index=True)
    budget_unit: bool = Field(default=True)
    mlps_level: Optional[int] = Field(default=None)
    mlps_assessed: Optional[dt.date] = Field(default=None)
    contact: str = Field(default="", max_length=128)
    justification: str = Field(default="", max_length=2000)
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


# the statuses of a link that holds its address (Art. 14); closed, decommissioned and cancelled links do not
OPEN_LINK_WHERE = ("separate_reason = '' AND address_key <> '' "
                   "AND status IN ('requested', 'approved', 'provisioning', 'active')")


class Link(SQLModel, table=True):
    """One extranet link at one office address; shared by the units there (Art. 14).

    At most one open link per normalised address unless a separate link is recorded as an exception
    (``separate_reason``): a partial unique index, the same on SQLite and PostgreSQL, so that no two
    processes can both create the address's link."""

    __tablename__ = "link"
    __table_args__ = (
        Index("uq_link_open_address", "address_key", unique=True,
              sqlite_where=text(OPEN_LINK_WHERE), postgresql_where=text(OPEN_LINK_WHERE)),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    address: str = Field(max_length=128)
    address_key: str = Field(max_length=128, index=True)
    mode: str = Field(max_length=16)
    status: str = Field(default="requested", max_length=16, index=True)
    separate_reason: str = Field(default="", max_length=2000)   # why this link does not serve its whole address
    bandwidth_mbps: int = Field(default=0)
    opened_on: Optional[dt.date] = Field(default=None)
    closed_on: Optional[dt.date] = Field(default=None)
    first_used_on: Optional[dt.date] = Field(default=None)   # first day above the usage threshold (Art. 15)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Application(SQLModel, table=True):
    """接入申请 (Art. 10-14): filed by the supervising department, reviewed by BDC."""

    __tablename__ = "application"
    # the units on a link: per link (link show, notices, closing a link's applications) and per command over
    # all links (audit idle, link list) a lookup by link and status, not a scan of every application of a status
    __table_args__ = (Index("ix_application_link_id_status", "link_id", "status"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    dept_id: int = Field(foreign_key="department.id", index=True)
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)
    joined_link: bool = Field(default=False)
    separate_link_reason: str = Field(default="", max_length=2000)
    kind: str = Field(default="new", max_length=16)
    basis: str = Field(default="", max_length=2000)
    scope: str = Field(default="", max_length=2000)
    mode: str = Field(default="", max_length=16)
    purpose: str = Field(default="", max_length=2000)
    bandwidth_mbps: int = Field(default=0)
    technical: str = Field(default="", max_length=2000)
    time_requirement: str = Field(default="", max_length=2000)
    cost_bearer: str = Field(default="", max_length=16)
    features: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_on: dt.date
    review_due: dt.date
    review_due_provisional: bool = Field(default=False)
    status: str = Field(default="submitted", max_length=16, index=True)
    filed_by: str = Field(max_length=64)
    decided_on: Optional[dt.date] = Field(default=None)
    decided_by: Optional[str] = Field(default=None, max_length=64)
    decision: Optional[str] = Field(default=None, max_length=16)
    reason: str = Field(default="", max_length=2000)
    reopen_reason: str = Field(default="", max_length=2000)   # kind 'reopen': why the closed link is needed (Art. 15)
    construction_due: Optional[dt.date] = Field(default=None)
    construction_due_provisional: bool = Field(default=False)
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ChangeRequest(SQLModel, table=True):
    """资源调整 (Art. 18): a unit's written request to change a link's bandwidth or to stop using a shared link.
    Reviewed within 5 working days, carried out within 10 of approval."""

    __tablename__ = "change_request"
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    kind: str = Field(max_length=16)                       # bandwidth | release
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the requesting unit; for release, the one leaving
    dept_id: int = Field(foreign_key="department.id", index=True)
    bandwidth_from: Optional[int] = Field(default=None)
    bandwidth_to: Optional[int] = Field(default=None)
    reason: str = Field(max_length=2000)
    requested_on: dt.date
    requested_by: str = Field(max_length=64)
    review_due: dt.date
    review_due_provisional: bool = Field(default=False)
    status: str = Field(default="submitted", max_length=16, index=True)  # submitted approved rejected applied withdrawn
    decided_on: Optional[dt.date] = Field(default=None)
    decided_by: Optional[str] = Field(default=None, max_length=64)
    decision_reason: str = Field(default="", max_length=2000)
    execution_due: Optional[dt.date] = Field(default=None)
    execution_due_provisional: bool = Field(default=False)
    applied_on: Optional[dt.date] = Field(default=None)
    applied_by: Optional[str] = Field(default=None, max_length=64)
    push_id: Optional[int] = Field(default=None, foreign_key="push.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class Extension(SQLModel, table=True):
    """A construction extension (Art. 12): municipal duct limits, unit not ready, other."""

    __tablename__ = "extension"
    id: Optional[int] = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    reason: str = Field(max_length=32)
    days: int
    note: str = Field(default="", max_length=2000)
    granted_by: str = Field(max_length=64)
    granted_on: dt.date
    created_at: dt.datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    """Append-only log of every change of state: who, in which role, when (real and effective), what, why."""

    __tablename__ = "event"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    effective_date: dt.date
    actor: str = Field(max_length=64)
    role: str = Field(default="", max_length=16)
    object_type: str = Field(max_length=32, index=True)
    object_id: int = Field(index=True)
    action: str = Field(max_length=32)
    article: Optional[int] = Field(default=None)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # the hash chain (services/events.py): position in the chain, the predecessor's HMAC, this row's HMAC
    seq: Optional[int] = Field(default=None, unique=True, index=True)
    prev_hash: Optional[str] = Field(default=None, max_length=64)
    hmac: Optional[str] = Field(default=None, max_length=64)
    db_role: Optional[str] = Field(default=None, max_length=64)   # PostgreSQL current_user; NULL on SQLite



class Allocation(SQLModel, table=True):
    """A link's place on its edge device: port, VLAN and subnet. Unique constraints make double allocation
    impossible, also with two egovnet processes at once."""

    __tablename__ = "allocation"
    __table_args__ = (
        UniqueConstraint("device", "port", name="uq_allocation_device_port"),
        UniqueConstraint("site", "vlan", name="uq_allocation_site_vlan"),
        UniqueConstraint("subnet", name="uq_allocation_subnet"),
        UniqueConstraint("link_id", name="uq_allocation_link"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id")
    device: str = Field(max_length=64, index=True)
    site: str = Field(max_length=64)
    port: str = Field(max_length=64)
    vlan: int
    subnet: str = Field(max_length=43)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Push(SQLModel, table=True):
    """Journal of one configuration change on one device: planned -> pushing -> verified -> applied,
    or failed / rolled_back. Committed before SSH opens."""

    __tablename__ = "push"
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)
    application_id: Optional[int] = Field(default=None, foreign_key="application.id")
    device: str = Field(max_length=64, index=True)
    action: str = Field(max_length=16)
    status: str = Field(default="planned", max_length=16, index=True)
    commands: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rollback: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    backup_path: str = Field(default="", max_length=500)
    error: str = Field(default="", max_length=2000)
    actor: str = Field(max_length=64)
    effective_date: dt.date
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: Optional[dt.datetime] = Field(default=None)
    # what the run that journalled the push still had to do, so that a later run can finish it after a crash:
    # which service, the template context, and what its record step needs (change id, reason, as-of day)
    intent: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    run_id: str = Field(default="", max_length=32, index=True)
    recorded_at: Optional[dt.datetime] = Field(default=None)   # the record step ran: the journal row is closed


class Lease(SQLModel, table=True):
    """A device, application or link being pushed by one egovnet run. Taken in the plan transaction, released
    when the run ends; a second run is refused and told who holds it. A holder that is gone (its pid no longer
    runs on this host, or, on another host, older than the stale limit) leaves a stale lease another run may
    take over."""

    __tablename__ = "lease"
    __table_args__ = (UniqueConstraint("object_type", "object_key", name="uq_lease_object"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=16)       # device | application | link
    object_key: str = Field(max_length=64)
    run_id: str = Field(max_length=32, index=True)
    actor: str = Field(max_length=64)
    os_user: str = Field(max_length=64)
    pid: int
    process_start: str = Field(default="", max_length=32)   # /proc start time: a reused pid is not the holder
    host: str = Field(max_length=255)
    command: str = Field(default="", max_length=64)
    taken_at: dt.datetime = Field(default_factory=utcnow)


class UsageDay(SQLModel, table=True):
    """Traffic a link carried on one day, from the device's counters or the monitoring system (Art. 15-16)."""

    __tablename__ = "usage_day"
    __table_args__ = (UniqueConstraint("link_id", "day", "source", name="uq_usage_day_link_day_source"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    day: dt.date = Field(index=True)
    source: str = Field(max_length=16)          # device | import
    # 64-bit: a day of a 1 Gbit/s link is up to 10.8 TB, past PostgreSQL's 4-byte INTEGER (SQLite's is 8 bytes)
    bytes_in: int = Field(default=0, sa_type=BigInteger)
    bytes_out: int = Field(default=0, sa_type=BigInteger)


class UsageSample(SQLModel, table=True):
    """The last counter reading of a link's port, to turn cumulative counters into daily traffic."""

    __tablename__ = "usage_sample"
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True, unique=True)
    device: str = Field(max_length=64)
    port: str = Field(max_length=64)
    in_octets: int = Field(default=0, sa_type=BigInteger)    # the device's 64-bit counters (ifHCInOctets)
    out_octets: int = Field(default=0, sa_type=BigInteger)
    taken_at: dt.datetime = Field(default_factory=utcnow)


class Maintenance(SQLModel, table=True):
    """A unit's filing of device debugging or upgrade work, at least 3 working days ahead (Art. 18)."""

    __tablename__ = "maintenance"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    device_desc: str = Field(max_length=256)
    start_at: dt.datetime
    reason: str = Field(max_length=2000)
    filed_on: dt.date
    filed_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Notice(SQLModel, table=True):
    """An official document (公文) egovnet issued, and the register of its numbers (文号): one gap-free sequence
    per prefix and year, the number taken in the transaction that records the decision. A corrected copy gets
    a new number and points at the one it replaces, which keeps its number, marked superseded. Notices written
    before the register (schema 0004) keep number None and status 'legacy'."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("prefix", "year", "number", name="uq_notice_number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    prefix: str = Field(default="", max_length=16)
    year: int
    number: Optional[int] = Field(default=None)
    doc_no: str = Field(default="", max_length=64)          # 青数〔2026〕7号
    kind: str = Field(max_length=32, index=True)
    article: int
    title: str = Field(default="", max_length=200)
    subject_type: str = Field(default="link", max_length=16)  # application | change | link
    subject_id: int = Field(default=0, index=True)
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)
    unit_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    main_to: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))   # 主送
    copy_to: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))   # 抄送
    format: str = Field(default="letter", max_length=8)     # letter (信函格式) | file (文件格式)
    issued_on: dt.date
    issued_by: str = Field(default="", max_length=64)
    status: str = Field(default="issued", max_length=16, index=True)   # issued | superseded | legacy
    reissue_of: Optional[int] = Field(default=None, foreign_key="notice.id")
    reissue_reason: str = Field(default="", max_length=2000)
    context: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    text: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    docx_path: str = Field(default="", max_length=512)
    other_paths: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class NoticeDelivery(SQLModel, table=True):
    """送达: when and to whom a notice was delivered (handed over, mailed, sent through the OA system)."""

    __tablename__ = "notice_delivery"
    id: Optional[int] = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    delivered_on: dt.date
    delivered_to: str = Field(max_length=256)
    recorded_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """A security check of a unit by BDC (定期安全检查, Art. 21), or a unit's own 等保测评 (MLPS assessment,
    Art. 13) or risk assessment (风险评估, Art. 21). A record that follows up a failed one points at it."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_unit_kind_date", "unit_id", "kind", "date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    kind: str = Field(max_length=16)                 # bdc_check | mlps_assessment | risk_assessment
    date: dt.date
    result: str = Field(max_length=8)                # pass | issues | fail
    level: Optional[int] = Field(default=None)      # MLPS level (1-5) the assessment was made at
    findings: str = Field(default="", max_length=2000)
    follow_up_of: Optional[int] = Field(default=None, foreign_key="assessments.id", index=True)
    source: str = Field(default="check", max_length=16)   # check | unit_update | unit_add | migration
    recorded_by: str = Field(max_length=64)
    recorded_at: dt.datetime = Field(default_factory=utcnow)


class MonitorSample(SQLModel, table=True):
    """One reading of a link exported by BDC's operations monitoring system (运维监控系统, Art. 16, 20).

    ``at`` is stored in UTC like every time here (the export's times are China Standard Time unless they carry a
    zone); utilisation is in Mbit/s (its share of the link's applied bandwidth is worked out when audited, as the
    bandwidth may change)."""

    __tablename__ = "monitor_samples"
    # per-link time ranges (audit health, availability): the unique index serves them and refuses duplicates
    __table_args__ = (UniqueConstraint("link_id", "at", name="uq_monitor_samples_link_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id")
    at: dt.datetime
    status: str = Field(max_length=4)                # up | down
    loss_pct: Optional[float] = Field(default=None)
    latency_ms: Optional[float] = Field(default=None)
    in_mbps: Optional[float] = Field(default=None)
    out_mbps: Optional[float] = Field(default=None)
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
class FaultTicket(SQLModel, table=True):
    """故障工单 (Art. 17): a fault reported on a link or at a unit, its response and restoration clocks and, for an
    outage, the downtime it caused. Times are China Standard Time wall clock (no zone stored, the same on SQLite
    and PostgreSQL)."""

    __tablename__ = "fault_tickets"
    id: Optional[int] = Field(default=None, primary_key=True)
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    summary: str = Field(max_length=256)
    severity: str = Field(max_length=2)                   # p1 | p2 | p3 (policies.yaml tickets.severities)
    reported_at: dt.datetime = Field(index=True)
    reported_by: str = Field(max_length=64)
    respond_due: dt.datetime
    restore_due: dt.datetime
    acked_at: Optional[dt.datetime] = Field(default=None)
    acked_by: Optional[str] = Field(default=None, max_length=64)
    resolved_at: Optional[dt.datetime] = Field(default=None)
    resolved_by: Optional[str] = Field(default=None, max_length=64)
    cause: str = Field(default="", max_length=2000)
    action: str = Field(default="", max_length=2000)
    outage: bool = Field(default=True)                    # counts as downtime of its link (Art. 24 availability)
    downtime_start: Optional[dt.datetime] = Field(default=None)
    downtime_end: Optional[dt.datetime] = Field(default=None)
    created_at: dt.datetime = Field(default_factory=utcnow)
class DriftRun(SQLModel, table=True):
    """One `audit drift` run (Art. 22): when, by whom, which devices, how many findings."""

    __tablename__ = "drift_run"
    id: Optional[int] = Field(default=None, primary_key=True)
    started_at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=64)
    devices: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    findings: int = 0
    failed: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # devices not read


class DriftFinding(SQLModel, table=True):
    """A difference between a device's running config and what egovnet intends there (Art. 22; 3, 19 where the
    isolation or the security measures are touched). Open until `remediate` brings the device back (its push)
    or a later audit no longer sees it."""

    __tablename__ = "drift_finding"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="drift_run.id", index=True)
    found_at: dt.datetime = Field(default_factory=utcnow)
    device: str = Field(max_length=64, index=True)
    object: str = Field(max_length=200)
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)
    kind: str = Field(max_length=32)
    intended: Optional[str] = Field(default=None, max_length=1000)
    actual: Optional[str] = Field(default=None, max_length=1000)
    articles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=16, index=True)   # open | resolved
    resolved_by: str = Field(default="", max_length=64)
    resolved_at: Optional[dt.datetime] = Field(default=None)
    push_id: Optional[int] = Field(default=None, foreign_key="push.id")
class SecurityIncident(SQLModel, table=True):
    """A security incident on which the Office (区政务服务办公室) cut a unit off the extranet (Art. 23): the
    links cut, the units that lost access with them (all units of a shared link whose device cannot cut one
    unit's part), the pushes that cut and restored access, and the remediation recorded before reconnecting.
    open: recorded, the cut not yet confirmed on every device; disconnected; reconnected."""

    __tablename__ = "security_incident"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)  # None: cut by --link
    link_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unit_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))   # every unit cut off
    scope: str = Field(default="unit", max_length=16)       # unit | link | shared_link (a shared link cut whole)
    incident: str = Field(max_length=2000)
    state: str = Field(default="open", max_length=16, index=True)   # open | disconnected | reconnected
    opened_by: str = Field(max_length=64)
    opened_on: dt.date
    disconnected_by: Optional[str] = Field(default=None, max_length=64)
    disconnected_at: Optional[dt.datetime] = Field(default=None)
    reconnected_by: Optional[str] = Field(default=None, max_length=64)
    reconnected_at: Optional[dt.datetime] = Field(default=None)
    remediation: str = Field(default="", max_length=2000)
    push_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reconnect_push_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Criticism(SQLModel, table=True):
    """通报批评 (Art. 26): the Office's decision to criticise a unit in a circular, on one of the article's grounds."""

    __tablename__ = "criticism"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    ground: int
    facts: str = Field(max_length=2000)
    decided_by: str = Field(max_length=64)
    decided_on: dt.date
    notice_id: Optional[int] = Field(default=None, foreign_key="notice.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
