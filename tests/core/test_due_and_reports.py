"""The set-based `due_for` and the report flow, on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlmodel import select

from bot.calendar import WorkCalendar
from bot.clock import clock, local_moment
from bot.periods import Period, month_index
from bot.storage import reports
from bot.storage.due import due_for
from bot.storage.models import (
    Report,
    ReportKind,
    ReportStatus,
    SelfAssessment,
    TaskLevel,
    Verdict,
)
from bot.timeliness import obligation
from tests import factories

CALENDAR = WorkCalendar()


def test_r11_each_department_of_a_joint_task_owes_its_own_report(session) -> None:
    factories.task(session, number=3, departments=("教务处", "研究生院", "人事处"))
    due = due_for(session, Period.parse("2026-03"))
    assert [item.department for item in due] == ["教务处", "研究生院", "人事处"]
    assert [item.is_lead for item in due] == [True, False, False]


def test_due_query_agrees_with_the_rules_for_every_kind_of_task(session) -> None:
    deadlines = [None, (2026, 3), (2026, 6), (2026, 12), (2027, 6)]
    levels = list(TaskLevel)
    tasks = []
    for number, (level, deadline) in enumerate(itertools.product(levels, deadlines), start=1):
        tasks.append(factories.task(session, number=number, level=level, deadline=deadline))
    periods = [f"2026-{m:02d}" for m in range(1, 13)] + ["2026-H1", "2026-H2", "2027-02"]
    for text in periods:
        period = Period.parse(text)
        got = {(item.task_id, item.kind, item.needs_reasons) for item in due_for(session, period)}
        expected = set()
        for row in tasks:
            owed = obligation(
                level=row.level,
                year=row.year,
                deadline_month=row.deadline_month,
                period=period,
                completed=False,
            )
            if owed is not None:
                expected.add((row.id, owed.kind, owed.needs_reasons))
        assert got == expected, text


def _approved_summary(session, task, assessment: SelfAssessment, period: str) -> Report:
    dept_id = due_for(session, Period.parse(period), task_ids=[task.id])[0].department_id
    report = reports.report_for(
        session,
        task_id=task.id,
        department_id=dept_id,
        period=Period.parse(period),
        kind=ReportKind.SUMMARY,
    )
    reports.submit(session, report, actor="liaison", text="总结", self_assessment=assessment)
    reports.approve(session, report, actor="leader", calendar=CALENDAR)
    return report


def test_r09_completed_task_owes_nothing_after_its_summary_is_approved(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 6))
    clock.set(local_moment(date(2026, 7, 1)))
    _approved_summary(session, task, SelfAssessment.ON_TIME, "2026-06")
    assert due_for(session, Period.parse("2026-07")) == []


def test_r09_not_finished_summary_keeps_the_monthly_cadence(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 6))
    clock.set(local_moment(date(2026, 7, 1)))
    _approved_summary(session, task, SelfAssessment.NOT_DONE, "2026-06")
    [item] = due_for(session, Period.parse("2026-07"))
    assert item.kind is ReportKind.PROGRESS and item.needs_reasons


def _submit(session, task, period: str) -> Report:
    item = due_for(session, Period.parse(period), task_ids=[task.id])[0]
    report = reports.report_for(
        session,
        task_id=task.id,
        department_id=item.department_id,
        period=Period.parse(period),
        kind=item.kind,
    )
    return reports.submit(session, report, actor="liaison", text="本月完成了调研。")


@pytest.mark.parametrize(
    ("approved_on", "verdict"),
    [(date(2026, 10, 9), Verdict.ON_TIME), (date(2026, 10, 12), Verdict.LATE)],
)
def test_r13_r15_approval_completes_the_flow_and_is_judged(session, approved_on, verdict) -> None:
    task = factories.task(session, number=1, deadline=(2026, 12))
    clock.set(local_moment(date(2026, 9, 30)))
    report = _submit(session, task, "2026-09")
    clock.set(local_moment(approved_on, 16))
    reports.approve(session, report, actor="wangxz", calendar=CALENDAR)
    session.commit()
    stored = session.get(Report, report.id)
    assert stored.status == ReportStatus.APPROVED
    assert stored.verdict == verdict
    assert stored.judged_on_time_until == date(2026, 10, 10)
    assert stored.judged_late_until == date(2026, 10, 13)


def test_r15_close_period_records_missing_and_keeps_given_verdicts(session) -> None:
    on_time = factories.task(session, number=1, departments=("宣传部",), deadline=(2026, 12))
    factories.task(session, number=2, departments=("教务处",), deadline=(2026, 12))
    clock.set(local_moment(date(2026, 10, 9)))
    reports.approve(session, _submit(session, on_time, "2026-09"), actor="w", calendar=CALENDAR)
    period = Period.parse("2026-09")

    assert reports.close_period(session, period, calendar=CALENDAR, today=date(2026, 10, 13)) == 0
    written = reports.close_period(session, period, calendar=CALENDAR, today=date(2026, 10, 14))
    session.commit()

    assert written == 1
    verdicts = {item.department: item.verdict for item in due_for(session, period)}
    assert verdicts == {"宣传部": Verdict.ON_TIME, "教务处": Verdict.MISSING}


def test_a_later_calendar_change_does_not_rewrite_a_given_verdict(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 12))
    clock.set(local_moment(date(2026, 10, 12)))
    report = reports.approve(
        session, _submit(session, task, "2026-09"), actor="w", calendar=CALENDAR
    )
    session.commit()
    # The offices later enter a (made-up) change that would have made 10-12 working day 3.
    changed = WorkCalendar({date(2026, 10, 8): False, date(2026, 10, 9): False})
    reports.close_period(
        session, Period.parse("2026-09"), calendar=changed, today=date(2026, 11, 1)
    )
    session.commit()
    stored = session.exec(select(Report).where(Report.id == report.id)).one()
    assert stored.verdict == Verdict.LATE
    assert stored.judged_on_time_until == date(2026, 10, 10)


def test_withdrawn_and_returned_reports_can_be_resubmitted_but_approved_cannot(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 12))
    report = _submit(session, task, "2026-09")
    reports.withdraw(session, report, actor="liaison")
    reports.submit(session, report, actor="liaison", text="修改后的进展。")
    reports.return_to_liaison(session, report, actor="leader", comment="请补充数据")
    assert report.status == ReportStatus.RETURNED and report.return_comment == "请补充数据"
    reports.submit(session, report, actor="liaison", text="补充了数据。")
    reports.approve(session, report, actor="leader", calendar=CALENDAR)
    with pytest.raises(reports.FlowError):
        reports.submit(session, report, actor="liaison", text="再改")
    with pytest.raises(reports.FlowError):
        reports.approve(session, report, actor="leader", calendar=CALENDAR)


def test_report_listing_gives_the_contract_fields(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 12))
    clock.set(local_moment(date(2026, 10, 9), 11))
    reports.approve(session, _submit(session, task, "2026-09"), actor="w", calendar=CALENDAR)
    session.commit()
    [row] = reports.list_reports(session, period="2026-09")
    data = row.as_dict()
    assert data["department"] == "宣传部" and data["period"] == "2026-09"
    assert data["kind"] == "progress" and data["status"] == "approved"
    assert data["approved_at"] == "2026-10-09T11:00:00+08:00"
    assert data["verdict"] == "on_time"
    assert month_index(2026, 9) == session.get(Report, data["id"]).period_index
