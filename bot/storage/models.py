"""The tables of the supervision core: departments, people, tasks, reports and their trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import clock


class Role(StrEnum):
    LIAISON = "liaison"
    HEAD = "head"
    LEADER = "leader"
    PARTY_OFFICE = "party_office"
    PRESIDENT_OFFICE = "president_office"
    ADMIN = "admin"


DEPARTMENT_ROLES = {Role.LIAISON, Role.HEAD}
OFFICE_ROLES = {Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE}


class TaskLevel(StrEnum):
    KEY = "key"  # ★★ monthly (R02)
    GENERAL = "general"  # ★ half-yearly (R03)
    OTHER = "other"  # other key work, half-yearly (R04)
    SPECIAL = "special"  # 专项, only what a notice asks (R05)


class DeadlineKind(StrEnum):
    MONTH = "month"
    DATE = "date"
    YEAR = "year"  # 全年: the end of the task's year
    LONG_TERM = "long"  # 长期: no completion deadline
    NONE = "none"


class ReportKind(StrEnum):
    PROGRESS = "progress"
    SUMMARY = "summary"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"


class SelfAssessment(StrEnum):
    ON_TIME = "on_time"  # 按时完成
    LATE = "late"  # 延期完成
    NOT_DONE = "not_done"  # 未完成


COMPLETED = (SelfAssessment.ON_TIME, SelfAssessment.LATE)


class Verdict(StrEnum):
    ON_TIME = "on_time"  # 按时上报
    LATE = "late"  # 逾期上报
    MISSING = "missing"  # 未上报


class Department(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    wecom_id: int | None = None


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, index=True)
    userid: str = Field(max_length=64, unique=True, index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    active: bool = True


class RoleAssignment(SQLModel, table=True):
    """A role a person holds; liaisons and heads hold theirs for one department."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "role", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(sa_type=String(32))
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)


class Task(SQLModel, table=True):
    """One reportable unit of a year's task table: a task, or one sub-item of it (R01)."""

    __table_args__ = (UniqueConstraint("year", "number", "item_no"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    number: int
    title: str = Field(max_length=500)
    item_no: int = 0  # 0 for a task without sub-items
    item: str | None = Field(default=None, max_length=1000)
    level: TaskLevel = Field(sa_type=String(16), index=True)
    deadline_kind: DeadlineKind = Field(default=DeadlineKind.NONE, sa_type=String(8))
    deadline_text: str | None = Field(default=None, max_length=64)
    deadline: date | None = None
    # Month index (year * 12 + month - 1) of the deadline, for set-based period arithmetic.
    deadline_month: int | None = Field(default=None, index=True)
    leader_name: str | None = Field(default=None, max_length=64)
    extra: str | None = None  # JSON of extra spreadsheet columns, kept as given


class TaskDepartment(SQLModel, table=True):
    __tablename__ = "task_department"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    department_id: int = Field(foreign_key="department.id", primary_key=True, index=True)
    is_lead: bool = True
    position: int = 0


class Report(SQLModel, table=True):
    """What one department reports on one task for one period, and how it was judged."""

    __table_args__ = (
        UniqueConstraint("task_id", "department_id", "period"),
        Index("ix_report_period_status", "period", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    period: str = Field(max_length=8)
    period_index: int = Field(index=True)  # month index of the period's last month
    kind: ReportKind = Field(sa_type=String(16))
    text: str = ""
    self_assessment: SelfAssessment | None = Field(default=None, sa_type=String(16))
    reasons: str | None = None
    status: ReportStatus = Field(default=ReportStatus.DRAFT, sa_type=String(16))
    author_userid: str | None = Field(default=None, max_length=64)
    approver_userid: str | None = Field(default=None, max_length=64)
    return_comment: str | None = None
    created_at: datetime = Field(
        default_factory=clock.now,
        sa_type=DateTime(timezone=True),
    )
    submitted_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
    )
    approved_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
    )
    returned_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
    )
    verdict: Verdict | None = Field(default=None, sa_type=String(16))
    # The window the verdict was judged on, kept so a calendar change never rewrites it.
    judged_on_time_until: date | None = None
    judged_late_until: date | None = None
    judged_provisional: bool | None = None


class Approval(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    actor_userid: str = Field(max_length=64)
    action: str = Field(max_length=16)  # approve, return
    comment: str | None = None
    via: str = Field(default="card", max_length=16)  # card, text, bulk
    at: datetime = Field(
        default_factory=clock.now,
        sa_type=DateTime(timezone=True),
    )


class Notice(SQLModel, table=True):
    """A supervision notice (督办通知单, R17, R22), numbered per year."""

    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    seq: int
    department_id: int = Field(foreign_key="department.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    subject: str | None = None  # the work, when it is not in the task table (R05)
    reply_days: int
    reply_due: date
    issued_by: str = Field(max_length=64)
    issued_at: datetime = Field(
        default_factory=clock.now,
        sa_type=DateTime(timezone=True),
    )
    status: str = Field(default="open", max_length=16)  # open, replied, closed
    progress: str | None = None
    unit_opinion: str | None = None
    head_name: str | None = Field(default=None, max_length=64)
    head_signed_on: date | None = None
    leader_opinion: str | None = None
    leader_name: str | None = Field(default=None, max_length=64)
    leader_signed_on: date | None = None


class CalendarDay(SQLModel, table=True):
    """A day the offices entered from the State Council notice; it wins over the library."""

    __tablename__ = "calendar_day"

    day: date = Field(primary_key=True)
    working: bool
    note: str | None = Field(default=None, max_length=100)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=clock.now,
        sa_type=DateTime(timezone=True),
    )
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    target: str | None = Field(default=None, max_length=128)
    detail: str | None = None
