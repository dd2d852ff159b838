"""Who may report for which department (R11, R12)."""

from __future__ import annotations

from sqlmodel import Session, delete, select

from bot.storage.models import Department, ReportStatus, RoleAssignment
from tests.handlers.conftest import Chat, stored_reports


def test_a_stranger_is_refused(chat, engine, tasks) -> None:
    tasks(number=9)
    [reply] = chat("nobody").send("汇报")
    assert "您还不在督查督办名单中" in reply
    assert stored_reports(engine) == []


def test_a_head_is_told_who_the_liaison_is(chat, engine, tasks) -> None:
    tasks(number=9)
    head = chat("liqiang")

    reply = head.says("汇报")
    assert "材料由各部门的督查督办联络员报送" in reply
    assert "宣传部的联络员是张敏" in reply
    assert head.state is None
    assert "没有理解" in head.says("1")
    assert stored_reports(engine) == []


def test_a_leader_is_told_that_liaisons_report(chat, tasks) -> None:
    tasks(number=9)
    reply = chat("wangxz").says("汇报")
    assert "您目前没有登记为联络员" in reply


def test_a_liaison_sees_and_picks_only_their_own_departments_tasks(chat, engine, tasks) -> None:
    tasks(number=9, departments=("宣传部",))
    tasks(number=20, departments=("教务处",), deadline=(2026, 12))
    liaison = chat("wangfang")

    listing = liaison.says("汇报")
    assert "1. 20.第20项重点工作" in listing and "9.第9项" not in listing
    assert "没有序号2，请回复 1-1 之间的序号" in liaison.says("2")
    assert "没有序号2" in liaison.says("汇报 2")
    for answer in ("1", "教务处本月进展。", "1"):
        liaison.send(answer)

    [report] = stored_reports(engine)
    assert report.author_userid == "wangfang" and report.status == ReportStatus.SUBMITTED
    assert _department_name(engine, report.department_id) == "教务处"


def test_losing_the_liaison_role_mid_conversation_stops_the_report(
    chat, engine, tasks, session
) -> None:
    tasks(number=9)
    liaison = chat("zhangmin")
    liaison.send("汇报 1")
    session.exec(delete(RoleAssignment))  # the offices re-imported the people table
    session.commit()

    assert "您不是这个部门的联络员" in liaison.says("本月进展。")
    assert stored_reports(engine) == []
    assert liaison.state is None


def test_r11_a_liaison_of_two_departments_reports_each_share(chat, engine, tasks) -> None:
    tasks(number=30, departments=("人事处", "研究生院"), title="推进人才引进", deadline=None)
    liaison = chat("zhaolei")

    listing = liaison.says("汇报")
    assert "1. 30.推进人才引进\n    人事处｜2026年9月进展报告" in listing
    assert "2. 30.推进人才引进\n    研究生院｜2026年9月进展报告" in listing
    report_share(liaison, 1, "人事处引进教授2名。")
    card, _prompt = liaison.send("汇报 2")
    assert "实施/牵头部门：人事处、研究生院" in card
    assert "本次由研究生院报送本部门承担的工作情况" in card
    liaison.send("研究生院新增导师5名。")
    liaison.send("1")

    shares = {
        _department_name(engine, report.department_id): (report.text, report.status)
        for report in stored_reports(engine)
    }
    assert shares == {
        "人事处": ("人事处引进教授2名。", ReportStatus.SUBMITTED),
        "研究生院": ("研究生院新增导师5名。", ReportStatus.SUBMITTED),
    }


def report_share(liaison: Chat, number: int, text: str) -> None:
    for answer in (f"汇报 {number}", text, "1"):
        liaison.send(answer)


def _department_name(engine, department_id: int) -> str:
    with Session(engine) as session:
        return session.exec(select(Department.name).where(Department.id == department_id)).one()
