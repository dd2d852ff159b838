"""催办: an immediate reminder to a department's liaisons and heads, recorded in the audit log."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import WorkCalendar
from bot.periods import Period
from bot.storage import reports
from bot.storage.due import due_for
from bot.storage.models import TaskLevel
from tests import factories
from tests.offices.conftest import audit_rows, detail, set_time

MARCH = Period.parse("2026-03")


@pytest.fixture
def owed(session, people) -> None:
    """宣传部 owes March reports on tasks 1, 2 and 7; task 1 is approved, task 2 submitted."""
    first = factories.task(session, number=1, departments=("宣传部",))
    second = factories.task(session, number=2, departments=("宣传部", "教务处"), leader="李校长")
    factories.task(session, number=7, departments=("宣传部",), item_no=2)
    factories.task(session, number=8, level=TaskLevel.GENERAL, departments=("宣传部",))
    factories.department(session, "党委宣传部")
    set_time(date(2026, 3, 30))
    for task, approve in ((first, True), (second, False)):
        item = next(
            i for i in due_for(session, MARCH, task_ids=[task.id]) if i.department == "宣传部"
        )
        report = reports.report_for(
            session,
            task_id=task.id,
            department_id=item.department_id,
            period=MARCH,
            kind=item.kind,
        )
        reports.submit(session, report, actor="xc_liaison", text="进展")
        if approve:
            reports.approve(session, report, actor="leader_wang", calendar=WorkCalendar())
    session.commit()


def test_urging_reaches_liaison_and_head_with_what_is_still_owed(session, chat, owed) -> None:
    set_time(date(2026, 4, 2))
    answer = chat.send("office1", "催办 宣传部")

    assert chat.recipients == {"office1", "xc_liaison", "xc_head"}
    reminder = chat.to("xc_liaison")
    assert reminder == chat.to("xc_head")
    assert reminder.startswith("【催办提醒】\n宣传部：以下督查督办材料尚未完成报送流程")
    assert "2026年3月（4月3日前完成为按时上报）：" in reminder
    assert "1. 2.第2项重点工作｜进展报告｜已提交，待分管校领导李校长审阅" in reminder
    assert "2. 7.(2)子项工作｜进展报告｜未报送" in reminder
    assert "1.第1项" not in reminder
    assert "8.第8项" not in reminder  # half-yearly: not owed for a month
    assert reminder.endswith("——党委办公室")
    assert answer == (
        "已向宣传部联络员张联络、负责人李部长发出催办提醒，涉及2026年3月尚未完成的材料2项。"
    )

    (row,) = audit_rows(session, "office.urge")
    assert row.actor == "office1"
    assert detail(row)["recipients"] == ["xc_liaison", "xc_head"]
    assert detail(row)["periods"] == ["2026-03"]
    assert len(detail(row)["reports"]) == 2


def test_urging_one_task_lists_only_that_task(session, chat, owed) -> None:
    set_time(date(2026, 4, 7))  # working day 4: the on-time days are over
    chat.send("office2", "催办 宣传 7(2)")

    reminder = chat.to("xc_head")
    assert "已过按时上报期限，请务必于4月8日前完成" in reminder
    assert "7.(2)子项工作" in reminder
    assert "2.第2项" not in reminder
    assert reminder.endswith("——校长办公室")
    assert detail(audit_rows(session, "office.urge")[0])["task"] == [7, 2]


def test_an_ambiguous_department_lists_the_candidates_and_reminds_nobody(session, chat, owed):
    set_time(date(2026, 4, 2))
    answer = chat.send("office1", "催办 传部")

    assert answer == "“传部”对应2个部门：\n1 党委宣传部\n2 宣传部\n请写出部门全称后重新发送。"
    assert chat.recipients == {"office1"}
    assert audit_rows(session, "office.urge") == []


def test_an_exact_name_wins_over_names_containing_it(chat, owed) -> None:
    set_time(date(2026, 4, 2))
    chat.send("office1", "催办宣传部")  # glued, as typed on a phone
    assert chat.recipients == {"office1", "xc_liaison", "xc_head"}


def test_nothing_to_urge_outside_the_reporting_season(session, chat, owed) -> None:
    set_time(date(2026, 4, 15))
    answer = chat.send("office1", "催办 宣传部")

    assert answer.startswith("现在不在报送期，宣传部没有需要催报的材料。")
    assert chat.recipients == {"office1"}
    assert audit_rows(session, "office.urge") == []


def test_unknown_department_and_missing_contacts_are_told(session, chat, owed) -> None:
    set_time(date(2026, 4, 2))
    assert chat.send("office1", "催办 外国语学院").startswith("没有找到名称包含“外国语学院”")

    factories.task(session, number=9, departments=("党委宣传部",))
    session.commit()
    assert chat.send("office1", "催办 党委宣传部").startswith("党委宣传部还没有登记联络员和负责人")
    assert chat.recipients == {"office1"}


def test_urging_is_for_the_offices_only(session, chat, owed) -> None:
    set_time(date(2026, 4, 2))
    assert "供党委办公室、校长办公室使用" in chat.send("xc_head", "催办 宣传部")
    assert chat.recipients == {"xc_head"}
    assert audit_rows(session, "office.urge") == []
