"""The supervision notice (督办通知单, R17, R22): numbering, issuing in chat, the department's
reply, the head's and the leader's signed opinions, and the office told when it is complete."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.storage.models import Notice
from bot.storage.notices import (
    NoticeError,
    issue_notice,
    open_notices,
    record_reply,
    sign_as_head,
)
from tests import factories
from tests.offices.conftest import audit_rows, detail, set_time

TODAY = date(2026, 4, 10)


def _issue(session: Session, department_id: int, **fields) -> Notice:
    values = {"task_id": None, "subject": "专项检查", "reply_days": 7, "issued_by": "office1"}
    values.update(fields)
    return issue_notice(session, department_id=department_id, today=TODAY, **values)


# -- storage -----------------------------------------------------------------------------------


def test_notices_are_numbered_per_year_and_due_in_calendar_days(session) -> None:
    dept = factories.department(session, "宣传部")
    first = _issue(session, dept.id, reply_days=7)
    second = _issue(session, dept.id, reply_days=3)
    next_year = issue_notice(
        session,
        department_id=dept.id,
        task_id=None,
        subject="专项",
        reply_days=5,
        issued_by="office1",
        today=date(2027, 1, 4),
    )

    assert [(n.year, n.seq) for n in (first, second, next_year)] == [
        (2026, 1),
        (2026, 2),
        (2027, 1),
    ]
    assert first.reply_due == date(2026, 4, 17)  # 附件3 "N日内": calendar days
    assert second.reply_due == date(2026, 4, 13)
    assert [detail(row)["reply_days"] for row in audit_rows(session, "notice.issue")] == [7, 3, 5]


def test_issuing_belongs_to_the_callers_transaction(engine: Engine) -> None:
    with Session(engine) as session:
        dept = factories.department(session, "宣传部")
        session.commit()
        _issue(session, dept.id)
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []


def test_two_notices_issued_at_once_get_distinct_numbers(engine: Engine, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage.notices")
    with Session(engine) as setup:
        dept_id = factories.department(setup, "宣传部").id
        setup.commit()
    outcome: dict[str, object] = {}

    def second_office() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                outcome["notice"] = _issue(session, dept_id, issued_by="office2")
                session.commit()
        except Exception as error:  # reported to the test below, not lost in the thread
            outcome["error"] = error

    with Session(engine, expire_on_commit=False) as first:
        mine = _issue(first, dept_id)  # number 1, not committed yet
        racer = threading.Thread(target=second_office)
        racer.start()
        _wait_until_blocked(engine, racer)
        first.commit()
    racer.join(timeout=30)

    assert "error" not in outcome
    theirs = outcome["notice"]
    assert isinstance(theirs, Notice)
    assert (mine.seq, theirs.seq) == (1, 2)
    if engine.dialect.name == "postgresql":
        # The second office read the same last number and had to retry on the violation.
        assert "notice number 2026/1 taken meanwhile; retrying" in caplog.text


def _wait_until_blocked(engine: Engine, racer: threading.Thread) -> None:
    """Until the second office waits on the first one's lock (PostgreSQL shows it; SQLite
    waits inside its busy handler, where only a pause lets it get there)."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    deadline = time.monotonic() + 10
    with engine.connect() as probe:
        while time.monotonic() < deadline and racer.is_alive():
            if probe.execute(query).scalar_one():
                return
            probe.rollback()
            time.sleep(0.02)
    pytest.fail("the second office never waited for the first")


def test_open_notices_by_department_and_due_date(session) -> None:
    propaganda = factories.department(session, "宣传部")
    teaching = factories.department(session, "教务处")
    soon = _issue(session, propaganda.id, reply_days=3)
    later = _issue(session, propaganda.id, reply_days=20)
    other = _issue(session, teaching.id, reply_days=3)

    assert open_notices(session) == [soon, later, other]
    assert open_notices(session, department_id=propaganda.id) == [soon, later]
    assert open_notices(session, due_by=date(2026, 4, 13)) == [soon, other]


def test_signatures_need_the_units_reply_and_the_reply_freezes_once_signed(session) -> None:
    notice = _issue(session, factories.department(session, "宣传部").id)
    with pytest.raises(NoticeError):
        sign_as_head(session, notice, actor="xc_head", name="李部长", today=TODAY)

    record_reply(session, notice, actor="xc_liaison", progress="进展", unit_opinion="意见")
    assert sign_as_head(session, notice, actor="xc_head", name="李部长", today=TODAY) is False
    with pytest.raises(NoticeError):
        record_reply(session, notice, actor="xc_liaison", progress="改", unit_opinion="改")


# -- the chat ----------------------------------------------------------------------------------


@pytest.fixture
def tasks(session, people) -> None:
    factories.task(session, number=1, departments=("宣传部",), title="进一步强化思想政治工作")
    factories.task(session, number=9, departments=("宣传部", "教务处"), item_no=1)
    factories.task(session, number=9, departments=("宣传部",), item_no=2)
    factories.task(session, number=12, departments=("教务处",), leader="李校长")
    session.commit()


def test_a_notice_from_issue_to_reply(session, chat, tasks) -> None:
    set_time(TODAY)

    assert "请回复实施/牵头部门名称" in chat.send("office1", "通知单")
    asked = chat.send("office1", "宣传")
    assert asked.startswith("实施/牵头部门：宣传部")
    assert "1.进一步强化思想政治工作" in asked
    assert "9.(2)子项工作" in asked
    assert "12." not in asked
    assert "几日内回复" in chat.send("office1", "1")
    preview = chat.send("office1", "7天")
    assert "编号：（签发时自动编号）" in preview
    assert "工作内容：1.进一步强化思想政治工作" in preview
    assert "请接到此通知单后7日内（4月17日前）将此项任务的工作情况" in preview
    assert "交至党委办公室。" in preview
    assert chat.recipients == {"office1"}

    issued = chat.send("office1", "1")
    assert issued.startswith("已签发2026年第1号督办通知单，宣传部须于4月17日前回复。")
    assert "已送达联络员张联络、负责人李部长。" in issued
    assert "已告知分管校领导王校长。" in issued
    assert chat.recipients == {"office1", "xc_liaison", "xc_head", "leader_wang"}
    received = chat.to("xc_liaison")
    assert received == chat.to("xc_head")
    assert received.startswith("【重点工作督办通知单】\n编号：2026年第1号\n")
    assert "实施/牵头部门：宣传部" in received
    assert "联络员发送“回复通知单 1”" in received
    assert "“领导意见 1 您的意见”" in chat.to("leader_wang")
    assert chat.state("office1") is None

    # The president's office issues a 专项 notice at the same time: number 2.
    chat.send("office2", "通知单 宣传部")
    chat.send("office2", "做好校园安全专项检查")
    assert "做好校园安全专项检查（专项督办）" in chat.send("office2", "10")
    assert "已签发2026年第2号督办通知单" in chat.send("office2", "1")
    assert "交至校长办公室" in chat.to("xc_liaison")

    # The liaison answers notice 1; with two open, a bare 回复 asks which.
    several = chat.send("xc_liaison", "回复")
    assert "您所在部门有2份督办通知单待回复" in several
    assert "回复通知单 编号" in several
    assert "请填写进展情况" in chat.send("xc_liaison", "回复通知单 1")
    assert "请填写单位意见" in chat.send(
        "xc_liaison", "已召开学校思想政治工作会议，印发实施方案。"
    )
    preview = chat.send("xc_liaison", "我部将按期完成。")
    assert "进展情况：\n已召开学校思想政治工作会议，印发实施方案。" in preview
    recorded = chat.send("xc_liaison", "1")
    assert recorded == "已提交2026年第1号督办通知单的回复。\n已请部门负责人李部长签署单位意见。"
    assert "“负责人意见 1 同意”" in chat.to("xc_head")

    # The leader cannot sign notice 2 before the department has replied to it.
    assert "还没有填写进展情况和单位意见" in chat.send("leader_wang", "领导意见 2 同意")
    # Nor can another leader sign notice 1, which is 王校长's task.
    assert "由分管校领导王校长审阅签署" in chat.send("leader_li", "领导意见 1 同意")

    signed = chat.send("xc_head", "负责人意见 1 同意")
    assert signed.startswith("已签署2026年第1号督办通知单的单位意见（负责人：李部长，4月10日）：")
    assert "我部将按期完成。" in signed
    assert "请您审阅" not in chat.to("xc_head")
    assert "单位意见已经负责人李部长签署，请审阅" in chat.to("leader_wang")

    set_time(date(2026, 4, 11))
    done = chat.send("leader_wang", "领导意见1 同意，请抓紧推进。")
    assert "通知单已办结" in done
    report = chat.to("office1")
    assert report.startswith("2026年第1号督办通知单已回复办结。")
    assert "单位意见：\n我部将按期完成。\n负责人：李部长　2026年4月10日" in report
    assert "分管校领导意见：\n同意，请抓紧推进。\n签字：王校长　2026年4月11日" in report
    assert "office2" not in chat.recipients  # the party office issued it
    assert "已送交党委办公室，办结" in chat.to("xc_liaison")

    notice = session.exec(select(Notice).where(Notice.seq == 1)).one()
    session.refresh(notice)
    assert (notice.status, notice.progress, notice.unit_opinion) == (
        "replied",
        "已召开学校思想政治工作会议，印发实施方案。",
        "我部将按期完成。",
    )
    assert (notice.head_name, notice.head_signed_on) == ("李部长", date(2026, 4, 10))
    assert (notice.leader_name, notice.leader_signed_on) == ("王校长", date(2026, 4, 11))
    assert notice.leader_opinion == "同意，请抓紧推进。"
    actions = ["notice.issue", "notice.reply", "notice.head_sign", "notice.leader_sign"]
    assert [len(audit_rows(session, action)) for action in actions] == [2, 1, 1, 1]
    (replied,) = audit_rows(session, "notice.replied")
    assert replied.target == "notice:2026-1"

    listing = chat.send("office2", "通知单列表")
    assert "2026年督办通知单（共2份）：" in listing
    assert "第1号｜宣传部｜1.进一步强化思想政治工作\n    4月17日前回复｜已办结" in listing
    assert "第2号｜宣传部｜做好校园安全专项检查\n    4月20日前回复｜待部门回复" in listing


def test_a_head_may_reword_the_units_opinion_and_the_leader_may_sign_first(
    session, chat, tasks
) -> None:
    set_time(TODAY)
    for answer in ("通知单", "教务处", "12", "5", "1"):
        chat.send("office2", answer)
    assert "已告知分管校领导李校长" in chat.to("office2")

    chat.send("jw_liaison", "回复")  # the one open notice of 教务处
    chat.send("jw_liaison", "正在推进。")
    chat.send("jw_liaison", "同意。")
    chat.send("jw_liaison", "1")
    assert "已经分管校领导" not in chat.send("leader_li", "领导意见 1 请按期完成")
    assert "待部门负责人签署单位意见后办结" in chat.to("leader_li")

    set_time(date(2026, 4, 20))
    chat.send("jw_head", "负责人意见 1 我处高度重视，将于5月底前完成。")
    notice = session.exec(select(Notice)).one()
    session.refresh(notice)
    assert notice.unit_opinion == "我处高度重视，将于5月底前完成。"
    assert notice.status == "replied"
    assert "超过回复期限5天" in chat.to("office2")
    assert "office2" in chat.recipients and "office1" not in chat.recipients
    row = audit_rows(session, "notice.reply")[0]
    assert detail(row)["unit_opinion"] == "同意。"  # the liaison's wording stays on record

    assert "已办结，不能再修改" in chat.send("jw_liaison", "回复通知单 1")


def test_the_task_step_asks_which_sub_item_and_takes_free_text(chat, tasks) -> None:
    set_time(TODAY)
    chat.send("office1", "通知单 宣传部")
    which = chat.send("office1", "9")
    assert which.startswith("第9项任务有2个子项，请回复要督办的子项编号：")
    assert "\n9(1)子项工作\n9(2)子项工作" in which
    assert "年任务表中没有第30项任务" in chat.send("office1", "30")
    assert "几日内回复" in chat.send("office1", "9（2）")
    assert "1-60 之间的天数" in chat.send("office1", "明天")
    preview = chat.send("office1", "3")
    assert "工作内容：9.第9项重点工作\n(2)子项工作\n\n为了推动" in preview
    assert chat.send("office1", "3") == "已取消，本次督办通知单未签发。"
    assert chat.state("office1") is None


def test_the_department_step_lists_candidates_to_choose_by_number(session, chat, tasks) -> None:
    factories.department(session, "党委宣传部")
    session.commit()
    set_time(TODAY)
    chat.send("office1", "通知单")
    listed = chat.send("office1", "传部")
    assert "1 党委宣传部\n2 宣传部\n请回复序号或部门全称。" in listed
    assert chat.send("office1", "2").startswith("实施/牵头部门：宣传部")


def test_people_outside_the_flow_are_told_politely(session, chat, tasks) -> None:
    set_time(TODAY)
    assert "供党委办公室、校长办公室使用" in chat.send("xc_liaison", "通知单")
    assert "供党委办公室、校长办公室使用" in chat.send("leader_wang", "通知单列表")
    assert chat.state("xc_liaison") is None

    for answer in ("通知单", "宣传部", "1", "7", "1"):
        chat.send("office1", answer)
    assert "没有找到与您相关的第1号督办通知单" in chat.send("jw_liaison", "回复通知单 1")
    assert "没有登记为部门负责人" in chat.send("xc_liaison", "负责人意见 1 同意")
    assert "分管校领导意见由分管校领导签署" in chat.send("xc_head", "领导意见 1 同意")
    assert "您目前没有登记为部门联络员或负责人" in chat.send("office2", "回复")
    assert "您所在部门目前没有需要回复的督办通知单" in chat.send("jw_liaison", "回复")
    assert audit_rows(session, "notice.reply") == []
