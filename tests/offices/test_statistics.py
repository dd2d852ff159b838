"""统计 (R15, R18): the numbers of `period_statistics`, held to `due_for`, and the chat reply."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot.calendar import WorkCalendar
from bot.clock import clock
from bot.handlers.offices import read_periods
from bot.periods import Period
from bot.storage import reports
from bot.storage.due import due_for
from bot.storage.models import ReportKind, TaskLevel
from bot.storage.statistics import Standing, latest_opened_periods, period_statistics
from tests import factories
from tests.offices.conftest import set_time

CALENDAR = WorkCalendar()
MARCH = Period.parse("2026-03")  # window: 04-01, 04-02, 04-03 | 04-07, 04-08 (清明 04-04..06)


def _report(session, task, department: str):
    item = next(
        item
        for item in due_for(session, MARCH, task_ids=[task.id])
        if item.department == department
    )
    return reports.report_for(
        session, task_id=task.id, department_id=item.department_id, period=MARCH, kind=item.kind
    )


def _submit(session, task, department: str, day: date) -> None:
    set_time(day, 9)
    reports.submit(session, _report(session, task, department), actor="liaison", text="进展")


def _approve(session, task, department: str, day: date) -> None:
    set_time(day, 16)
    reports.approve(session, _report(session, task, department), actor="leader", calendar=CALENDAR)


@pytest.fixture
def march(session) -> dict[int, object]:
    """Six ★★ tasks owing March reports, in every state a report can be in on April 7."""
    tasks = {
        1: factories.task(session, number=1, departments=("宣传部",)),
        2: factories.task(session, number=2, departments=("宣传部",)),
        3: factories.task(session, number=3, departments=("教务处",)),
        4: factories.task(session, number=4, departments=("研究生院",)),
        5: factories.task(session, number=5, departments=("教务处",)),
        6: factories.task(session, number=6, departments=("研究生院",)),
    }
    factories.task(session, number=7, level=TaskLevel.GENERAL, departments=("宣传部",))
    _submit(session, tasks[1], "宣传部", date(2026, 3, 31))
    _approve(session, tasks[1], "宣传部", date(2026, 4, 2))  # working day 2: on time
    _submit(session, tasks[2], "宣传部", date(2026, 4, 3))
    _approve(session, tasks[2], "宣传部", date(2026, 4, 7))  # working day 4: late
    _submit(session, tasks[4], "研究生院", date(2026, 4, 7))  # awaiting the leader
    _submit(session, tasks[5], "教务处", date(2026, 4, 1))
    _approve(session, tasks[5], "教务处", date(2026, 4, 1))
    session.commit()
    return tasks


def _by_department(stats) -> dict[str, dict[str, int]]:
    return {
        dept.name: {
            standing.value: dept.count(standing) for standing in Standing if dept.count(standing)
        }
        for dept in stats.departments
    }


def test_while_the_window_is_open_undecided_reports_are_pending(session, march) -> None:
    stats = period_statistics(session, MARCH, calendar=CALENDAR, today=date(2026, 4, 7))

    assert _by_department(stats) == {
        "宣传部": {"on_time": 1, "late": 1},
        "教务处": {"on_time": 1, "not_submitted": 1},
        "研究生院": {"awaiting_review": 1, "not_submitted": 1},
    }
    assert stats.opened and not stats.closed and stats.working_day == 4
    assert not stats.provisional
    late = stats.departments[0].items_of(Standing.LATE)
    assert [(item.number, item.title) for item in late] == [(2, "第2项重点工作")]


def test_after_the_window_closes_the_numbers_agree_with_the_recorded_verdicts(
    session, march
) -> None:
    _submit(session, march[6], "研究生院", date(2026, 4, 8))
    _approve(session, march[6], "研究生院", date(2026, 4, 9))  # after working day 5

    today = date(2026, 4, 9)
    before_close = period_statistics(session, MARCH, calendar=CALENDAR, today=today)
    reports.close_period(session, MARCH, calendar=CALENDAR, today=today)
    after_close = period_statistics(session, MARCH, calendar=CALENDAR, today=today)

    recorded = Counter((item.department, item.verdict) for item in due_for(session, MARCH))
    counted = Counter(
        (dept.name, item.standing.value) for dept in after_close.departments for item in dept.items
    )
    assert counted == recorded
    assert recorded[("研究生院", "missing")] == 2
    assert _by_department(before_close) == _by_department(after_close)
    assert after_close.closed
    assert after_close.totals() == Counter(
        {Standing.ON_TIME: 2, Standing.LATE: 1, Standing.MISSING: 3}
    )


def test_office_reads_the_statistics_in_chat(chat, people, march) -> None:
    set_time(date(2026, 4, 7), 11)
    answer = chat.send("office1", "统计 2026-03")

    assert "【2026年3月督查督办材料报送统计】" in answer
    assert "报送窗口：4月1日至4月8日。4月3日前完成全部流程" in answer
    assert "今天是第4个工作日" in answer
    assert (
        "共3个部门应报6项：按时上报2项，逾期上报1项，未上报0项，"
        "待认定3项（已提交待审阅1项，未提交2项）。" in answer
    )
    assert "宣传部（应报2项）：按时上报1项，逾期上报1项\n  逾期上报：2.第2项重点工作" in answer
    assert "研究生院（应报2项）：待审阅1项，未提交1项" in answer
    assert "  未提交：6.第6项重点工作" in answer
    assert "预估日历" not in answer


def test_statistics_after_the_window_names_the_missing_and_agrees_with_due_for(
    session, chat, people, march
) -> None:
    set_time(date(2026, 4, 9), 11)
    reports.close_period(session, MARCH, calendar=CALENDAR, today=clock.today())
    session.commit()

    answer = chat.send("admin1", "统计 3月")

    assert "报送窗口已截止，以下为认定结果。" in answer
    assert "按时上报2项，逾期上报1项，未上报3项。" in answer
    assert "待认定" not in answer
    assert "研究生院（应报2项）：未上报2项\n  未上报：4.第4项重点工作；6.第6项重点工作" in answer
    assert "教务处（应报2项）：按时上报1项，未上报1项\n  未上报：3.第3项重点工作" in answer
    assert answer.index("研究生院") < answer.index("教务处") < answer.index("宣传部（")
    assert chat.send("office2", "统计") == answer  # the latest window opened is March's


def test_a_provisional_calendar_is_said(session, chat, people) -> None:
    factories.task(session, number=1, year=2031, deadline=(2031, 12))
    session.commit()
    set_time(date(2031, 4, 2))
    assert "预估日历" in chat.send("office1", "统计 2031-03")


def test_statistics_are_only_for_the_offices(chat, people, march) -> None:
    set_time(date(2026, 4, 7))
    answer = chat.send("xc_liaison", "统计 2026-03")

    assert "供党委办公室、校长办公室使用" in answer
    assert "按时上报" not in answer
    assert chat.recipients == {"xc_liaison"}


def test_a_period_the_office_wrote_unclearly_is_explained(chat, people) -> None:
    set_time(date(2026, 4, 7))
    assert "没有看懂“13月”指哪个报送周期" in chat.send("office1", "统计 13月")


def test_many_departments_stay_within_wecom_message_limits(session, chat, people) -> None:
    for number in range(1, 81):
        factories.task(
            session,
            number=number,
            departments=(f"第{number}党总支马克思主义理论与思想政治教育研究部",),
            title="进一步加强和改进新形势下学校思想政治工作并建立长效工作机制" * 2,
        )
    session.commit()
    set_time(date(2026, 4, 9))

    chat.send("office1", "统计 2026-03")
    messages = chat.last["office1"]

    assert 1 < len(messages) <= 4
    assert all(len(message.encode()) <= 2048 for message in messages)
    assert "共80个部门应报80项：按时上报0项，逾期上报0项，未上报80项。" in messages[0]
    assert "另有" in messages[-1]


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("2026-09", date(2026, 10, 20), ["2026-09"]),
        ("2026-9", date(2026, 10, 20), ["2026-09"]),
        ("9月", date(2026, 10, 20), ["2026-09"]),
        ("１１月", date(2026, 10, 20), ["2025-11"]),
        ("2026年9月", date(2027, 1, 5), ["2026-09"]),
        ("上半年", date(2026, 10, 20), ["2026-H1"]),
        ("下半年", date(2026, 3, 2), ["2025-H2"]),
        ("2026年上半年", date(2027, 1, 5), ["2026-H1"]),
        ("2026-h2", date(2027, 1, 5), ["2026-H2"]),
        ("", date(2026, 10, 20), ["2026-09"]),
        ("", date(2026, 10, 5), ["2026-08"]),  # September's window opens on 10-08
        ("", date(2026, 7, 2), ["2026-06", "2026-H1"]),
        ("", date(2027, 1, 4), ["2026-12", "2026-H2"]),
        ("13月", date(2026, 10, 20), None),
        ("去年", date(2026, 10, 20), None),
    ],
)
def test_periods_as_offices_write_them(text, today, expected) -> None:
    found = read_periods(text, today, CALENDAR)
    assert (None if found is None else [str(period) for period in found]) == expected


def test_latest_opened_periods_follow_the_calendar() -> None:
    assert [str(p) for p in latest_opened_periods(date(2026, 10, 8), CALENDAR)] == ["2026-09"]
    assert [str(p) for p in latest_opened_periods(date(2026, 10, 7), CALENDAR)] == ["2026-08"]


def test_summary_reports_count_like_progress_reports(session) -> None:
    task = factories.task(session, number=1, deadline=(2026, 3))
    item = due_for(session, MARCH)[0]
    assert item.kind == ReportKind.SUMMARY
    set_time(date(2026, 4, 1))
    stats = period_statistics(session, MARCH, calendar=CALENDAR, today=date(2026, 4, 1))
    assert [i.task_id for d in stats.departments for i in d.items] == [task.id]
    assert stats.departments[0].items[0].standing is Standing.NOT_SUBMITTED
