"""反馈 (R16): a department's difficulty reaches the supervising leader, or else the offices."""

from __future__ import annotations

import json

from sqlmodel import Session, col, delete, select

from bot.storage.models import AuditLog, Role, RoleAssignment
from tests.handlers.conftest import received


def test_feedback_is_delivered_to_the_supervising_leader(chat, engine, tasks) -> None:
    tasks(number=9, item_no=2, title="进一步强化思想政治工作", deadline=(2026, 12))
    head = chat("liqiang")

    listing = head.says("反馈")
    assert "1. 9.(2)子项工作" in listing
    assert "确认后发送给分管校领导王校长" in head.says("1")
    preview = head.says("宣传栏改造经费尚未落实。")
    assert "发送给：分管校领导王校长" in preview and "反馈部门：宣传部" in preview
    assert head.says("1") == "已发送给分管校领导王校长。"
    assert head.state is None

    [notice] = received(engine, "wangxz")
    content = notice.body()["content"]
    assert content.startswith("【问题反馈】宣传部李强反映：")
    assert "9.进一步强化思想政治工作\n(2)子项工作（★★重点）" in content
    assert "宣传栏改造经费尚未落实。" in content
    assert notice.purpose == "feedback"

    [entry] = _audit(engine, "feedback.send")
    detail = json.loads(entry.detail)
    assert entry.actor == "liqiang" and entry.target.startswith("task:")
    assert detail["recipients"] == ["wangxz"] and detail["department"] == "宣传部"
    assert detail["text"] == "宣传栏改造经费尚未落实。"


def test_feedback_goes_to_both_offices_when_the_leader_is_not_registered(
    chat, engine, tasks
) -> None:
    tasks(number=9, deadline=(2026, 12), leader="张副校长")
    liaison = chat("zhangmin")
    for answer in ("反馈 1", "需要协调场地。"):
        liaison.send(answer)

    assert liaison.says("1") == "已发送给党委办公室刘洋、校长办公室陈静。"
    for office in ("liuyang", "chenjing"):
        [notice] = received(engine, office)
        assert "分管校领导张副校长尚未在系统中登记，特转两办" in notice.body()["content"]
    assert received(engine, "wangxz") == []


def test_feedback_can_be_rewritten_before_it_is_sent(chat, engine, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    liaison = chat("zhangmin")
    for answer in ("反馈１", "第一稿。"):
        liaison.send(answer)

    assert "第一稿。" in liaison.says("2")
    liaison.send("第二稿：需要协调场地。")
    liaison.send("1")

    [notice] = received(engine, "wangxz")
    content = notice.body()["content"]
    assert "第二稿：需要协调场地。" in content and "第一稿" not in content


def test_cancelled_feedback_is_not_sent(chat, engine, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    liaison = chat("zhangmin")
    for answer in ("反馈", "1", "内容。"):
        liaison.send(answer)

    assert liaison.says("3") == "已取消，反馈没有发送。"
    assert received(engine, "wangxz") == []
    assert _audit(engine, "feedback.send") == []


def test_a_two_department_liaison_picks_the_department(chat, engine, tasks) -> None:
    tasks(number=30, departments=("人事处", "研究生院"), deadline=None)
    liaison = chat("zhaolei")

    listing = liaison.says("反馈")
    assert "1. 30.第30项重点工作（人事处）" in listing
    assert "2. 30.第30项重点工作（研究生院）" in listing
    for answer in ("2", "导师不足。", "1"):
        liaison.send(answer)
    [notice] = received(engine, "wangxz")
    assert notice.body()["content"].startswith("【问题反馈】研究生院赵磊反映")


def test_feedback_needs_a_department(chat, tasks) -> None:
    tasks(number=9)
    assert "问题反馈由承担任务的部门提出" in chat("wangxz").says("反馈")


def test_nobody_to_receive_is_said_plainly(chat, engine, tasks) -> None:
    tasks(number=9, deadline=(2026, 12), leader=None)
    offices = [Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE]
    with Session(engine) as session:
        session.exec(delete(RoleAssignment).where(col(RoleAssignment.role).in_(offices)))
        session.commit()
    liaison = chat("zhangmin")
    for answer in ("反馈 1", "内容。"):
        liaison.send(answer)

    assert "反馈没有发出" in liaison.says("1")
    assert _audit(engine, "feedback.send") == []


def _audit(engine, action: str) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


def test_a_step_whose_data_expired_starts_over(chat, store, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    liaison = chat("zhangmin")
    store.set_state("zhangmin", "feedback:text")  # the state outlived its data

    assert liaison.says("场地不足。") == "这次反馈已中断，请重新发送“反馈”。"
    assert liaison.state is None
