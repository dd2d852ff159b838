"""Every step of every conversation: 取消 gets out, and a wrong answer says what was expected."""

from __future__ import annotations

import pytest

from bot.storage.models import ReportStatus
from tests.handlers.conftest import Chat, received, stored_reports

# The answers that bring 张敏 of 宣传部 to each step. Her list: 1 a progress report,
# 2 an overdue progress report (asks for reasons), 3 a completion summary.
PATHS = {
    "report:pick": ["汇报"],
    "report:text": ["汇报", "1"],
    "report:reasons": ["汇报", "2", "本月进展。"],
    "report:assessment": ["汇报", "3"],
    "report:too_long": ["汇报", "1", "字" * 301],
    "report:confirm": ["汇报", "1", "本月进展。"],
    "report:edit": ["汇报", "2", "本月进展。", "未完成原因。", "2"],
    "report:resume": ["汇报", "1", "本月进展。", "3", "汇报 1"],
    "report:withdraw": ["汇报", "1", "本月进展。", "1", "撤回"],
    "report:revise": ["汇报", "1", "本月进展。", "1", "修改"],
    "feedback:pick": ["反馈"],
    "feedback:text": ["反馈", "1"],
    "feedback:confirm": ["反馈", "1", "场地不足。"],
}

# A wrong answer at each step, and what the reply must say was expected.
WRONG = {
    "report:pick": ("第一个", "请回复序号（1-3）"),
    "report:text": ("   ", "内容不能为空"),
    "report:reasons": ("  ", "内容不能为空"),
    "report:assessment": ("4", "请回复 1、2 或 3：1 按时完成，2 延期完成，3 未完成"),
    "report:too_long": ("好", "请回复 1 重新输入，或 2 保留原文"),
    "report:confirm": ("好的", "请回复 1 确认提交，2 修改，或 3 取消"),
    "report:edit": ("5", "请回复 1-2 之间的序号"),
    "report:resume": ("3", "请回复 1 继续上次草稿，或 2 重新填写"),
    "report:withdraw": ("最后一个", "请回复序号（1-3）"),
    "report:revise": ("全部", "请回复序号（1-3）"),
    "feedback:pick": ("9", "没有序号9，请回复 1-3 之间的序号"),
    "feedback:text": ("字" * 501, "这段内容共501字，反馈请控制在500字以内"),
    "feedback:confirm": ("发吧", "请回复 1 确认发送，2 修改，或 3 取消"),
}


@pytest.fixture
def liaison(chat, tasks) -> Chat:
    tasks(number=9, deadline=(2026, 12))
    tasks(number=12, deadline=(2026, 6))
    tasks(number=15, deadline=(2026, 9))
    return chat("zhangmin")


def walk_to(liaison: Chat, step: str) -> None:
    for answer in PATHS[step]:
        liaison.send(answer)
    assert liaison.state == step


@pytest.mark.parametrize("step", PATHS)
def test_cancel_at_every_step(liaison, engine, step) -> None:
    walk_to(liaison, step)
    before = [(report.status, report.text) for report in stored_reports(engine)]
    to_leader = len(received(engine, "wangxz"))

    [reply] = liaison.send("取消")
    assert reply.startswith("已取消")
    assert liaison.state is None
    assert [(report.status, report.text) for report in stored_reports(engine)] == before
    assert len(received(engine, "wangxz")) == to_leader


@pytest.mark.parametrize("step", PATHS)
def test_a_wrong_answer_at_every_step_says_what_was_expected(liaison, step) -> None:
    walk_to(liaison, step)
    answer, expected = WRONG[step]

    [reply] = liaison.send(answer)
    assert expected in reply
    assert "取消" in reply  # and how to get out
    assert liaison.state == step


@pytest.mark.parametrize("step", ["report:reasons", "report:too_long", "report:confirm"])
def test_cancel_keeps_what_was_typed_as_a_draft(liaison, engine, step) -> None:
    walk_to(liaison, step)
    liaison.send("取消")

    [draft] = stored_reports(engine)
    assert draft.status == ReportStatus.DRAFT
    assert draft.text == ("字" * 301 if step == "report:too_long" else "本月进展。")


def test_a_command_in_the_middle_of_a_step_leaves_it(liaison) -> None:
    walk_to(liaison, "report:confirm")
    assert "您是宣传部的督查督办联络员" in liaison.says("帮助")
    assert liaison.state == "report:confirm"
    assert "本部门本期应报送的材料" in liaison.says("我的任务")
    assert "已提交" in liaison.says("1")
