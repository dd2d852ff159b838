"""A small university for the reminder tests: three departments with one task each, their
liaisons and heads, two supervising leaders and the two offices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from sqlmodel import Session, func, select

from bot.calendar import WorkCalendar
from bot.clock import clock, local_moment
from bot.config import Settings
from bot.periods import Period
from bot.reminders.sweep import SweepResult, sweep
from bot.storage import reports
from bot.storage.messaging import OutboxMessage
from bot.storage.models import Report, ReportKind, Role, Task
from bot.storage.workflow import Dispatch
from tests import factories

CALENDAR = WorkCalendar()

XC, JW, RS = "宣传部", "教务处", "人事处"
LIAISONS = {XC: "lia-xc", JW: "lia-jw", RS: "lia-rs"}
HEADS = {XC: "head-xc", JW: "head-jw", RS: "head-rs"}
OFFICES = ("dangban", "xiaoban")


def plain_settings(**values: object) -> Settings:
    """The defaults, whatever the developer's `.env` says."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class University:
    """The tests' data, and the moves a month of reporting makes on it."""

    session: Session
    settings: Settings = field(default_factory=lambda: plain_settings())
    tasks: dict[str, Task] = field(default_factory=dict)

    def run(self, day: date, hour: int, minute: int = 0, **options: object) -> SweepResult:
        """One sweep at a Shanghai wall-clock time, committed as the service commits it."""
        clock.set(local_moment(day, hour, minute))
        result = sweep(
            self.session,
            at=clock.now(),
            calendar=CALENDAR,
            settings=self.settings,
            **options,  # type: ignore[arg-type]
        )
        self.session.commit()
        return result

    def report(self, department: str, period: str) -> Report:
        task = self.tasks[department]
        dept = factories.department(self.session, department)
        return reports.report_for(
            self.session,
            task_id=task.id or 0,
            department_id=dept.id or 0,
            period=Period.parse(period),
            kind=ReportKind.PROGRESS,
        )

    def submit(self, department: str, period: str, at: datetime) -> None:
        clock.set(at)
        report = self.report(department, period)
        reports.submit(self.session, report, actor=LIAISONS[department], text="本月推进顺利。")
        self.session.commit()

    def approve(self, department: str, period: str, at: datetime) -> None:
        clock.set(at)
        report = self.report(department, period)
        reports.approve(self.session, report, actor="wang", calendar=CALENDAR)
        self.session.commit()

    def count(self, table: type) -> int:
        return int(self.session.exec(select(func.count()).select_from(table)).one())

    def written(self) -> tuple[int, int, int]:
        """Rows a sweep may write: dispatches, outbox messages, reports."""
        return self.count(Dispatch), self.count(OutboxMessage), self.count(Report)


def build_university(
    session: Session, *, summary_month: tuple[int, int] = (2026, 12)
) -> University:
    """人事处's task ends in `summary_month`, so its report for that month is a summary."""
    uni = University(session)
    deadlines = {XC: (2026, 12), JW: (2026, 12), RS: summary_month}
    leaders = {XC: "王校长", JW: "王校长", RS: "李校长"}
    for number, name in enumerate((XC, JW, RS), start=1):
        uni.tasks[name] = factories.task(
            session,
            number=number,
            departments=(name,),
            deadline=deadlines[name],
            leader=leaders[name],
            title=f"{name}牵头推进的第{number}项重点工作",
        )
        factories.person(
            session, userid=LIAISONS[name], name=f"{name}联络员", roles=((Role.LIAISON, name),)
        )
        factories.person(
            session, userid=HEADS[name], name=f"{name}负责人", roles=((Role.HEAD, name),)
        )
    factories.person(session, userid="wang", name="王校长", roles=((Role.LEADER, None),))
    factories.person(session, userid="li", name="李校长", roles=((Role.LEADER, None),))
    factories.person(session, userid="dangban", name="党办", roles=((Role.PARTY_OFFICE, None),))
    factories.person(
        session, userid="xiaoban", name="校办", roles=((Role.PRESIDENT_OFFICE, None),)
    )
    session.commit()
    return uni


@pytest.fixture
def university(session: Session) -> University:
    return build_university(session)


@pytest.fixture
def make_university(session: Session) -> Callable[..., University]:
    return lambda **options: build_university(session, **options)


def who(result: SweepResult) -> set[tuple[str, str]]:
    """(recipient, kind) of every digest in a sweep's result."""
    return {(digest.recipient, digest.kind.value) for digest in result.sent}
