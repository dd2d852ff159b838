"""帮助, the greeting on opening the app, and 我的任务."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.clock import clock, local_moment
from bot.handlers import build_router
from bot.storage.models import TaskLevel
from bot.words import render
from tests.handlers.conftest import PEOPLE


@pytest.mark.parametrize("userid", [userid for userid, _name, _roles in PEOPLE])
def test_help_names_only_commands_that_exist(chat, userid) -> None:
    text = chat(userid).says("帮助")
    quoted = re.findall(r"“([^”]+)”", text)
    assert quoted
    assert {phrase.split()[0] for phrase in quoted} <= set(build_router().commands)


def test_help_by_role(chat) -> None:
    liaison = chat("zhangmin").says("帮助")
    assert "您是宣传部的督查督办联络员" in liaison
    assert all(word in liaison for word in ("“汇报”", "“修改 序号”", "“撤回 序号”", "“反馈”"))

    head = chat("liqiang").says("帮助")
    assert "您是宣传部的负责人" in head and "“我的任务”" in head and "“汇报”" not in head

    leader = chat("wangxz").says("帮助")
    assert "提交后会发给您审阅" in leader and "“汇报”" not in leader

    office = chat("liuyang").says("帮助")
    assert "您是党委办公室的工作人员" in office


@pytest.mark.parametrize("word", ["帮助", "菜单", "?", "？"])
def test_help_answers_to_its_words(chat, word) -> None:
    assert "我是督办助手" in chat("zhangmin").says(word)


def test_opening_the_app_greets_once_a_day(chat) -> None:
    liaison = chat("zhangmin")
    [greeting] = liaison.open_app()
    assert greeting.startswith("张敏您好！") and "“汇报”" in greeting
    assert liaison.open_app() == []

    clock.set(local_moment(date(2026, 9, 30), 8))
    assert len(liaison.open_app()) == 1


def test_no_greeting_in_the_middle_of_a_conversation(chat, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    liaison = chat("zhangmin")
    liaison.send("汇报")
    assert liaison.open_app() == []
    assert liaison.state == "report:pick"


def test_my_tasks_numbers_the_liaisons_lines_with_state_and_deadline(chat, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    tasks(number=12, deadline=(2026, 6))
    liaison = chat("zhangmin")
    for answer in ("汇报 1", "本月进展。", "1"):
        liaison.send(answer)

    text = liaison.says("我的任务")
    assert "【2026年9月｜截止10月10日】" in text
    assert "1. 9.第9项重点工作\n    进展报告｜待审阅" in text
    assert "2. 12.第12项重点工作\n    进展报告｜未报送｜须说明未完成原因" in text
    assert "“汇报 序号”" in text


def test_my_tasks_for_a_head_names_the_liaison(chat, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    text = chat("liqiang").says("我的任务")
    assert "· 9.第9项重点工作" in text
    assert "宣传部的材料由联络员张敏报送" in text
    assert "“汇报 序号”" not in text


def test_my_tasks_at_half_year_end_shows_the_month_and_the_half_year(chat, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    tasks(number=40, level=TaskLevel.GENERAL, deadline=(2026, 12))
    clock.set(local_moment(date(2026, 6, 29), 10))

    text = chat("zhangmin").says("我的任务")
    assert "【2026年上半年｜截止7月3日】\n1. 40.第40项重点工作" in text
    assert "【2026年6月｜截止7月3日】\n2. 9.第9项重点工作" in text
    assert "“汇报 序号”" in text


def test_my_tasks_outside_the_season_shows_what_comes_next(chat, tasks) -> None:
    tasks(number=9, deadline=(2026, 12))
    clock.set(local_moment(date(2026, 9, 15), 10))

    text = chat("zhangmin").says("我的任务")
    assert "现在不在报送期。2026年9月的材料从9月28日起填写报送" in text
    assert "· 9.第9项重点工作" in text
    assert "“汇报 序号”" not in text


def test_my_tasks_without_a_department(chat) -> None:
    text = chat("wangxz").says("我的任务")
    assert "您目前没有登记为部门联络员或负责人" in text
    assert "分管任务的材料提交后会发给您审阅" in text


def test_help_leaves_out_a_command_that_is_not_there() -> None:
    text = render(
        "chat/help.txt.j2",
        name="张敏",
        liaison_of=["宣传部"],
        head_of=[],
        leader=False,
        offices=[],
        commands={"汇报", "我的任务", "取消", "帮助"},
    )
    assert "“汇报”" in text and "“我的任务”" in text
    assert "撤回" not in text and "反馈" not in text and "修改" not in text
