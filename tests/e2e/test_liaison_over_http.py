"""A liaison's whole conversation over real HTTP: sandbox users send encrypted callbacks,
the bot answers through the outbox and the sandbox's message API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot.clock import clock, local_moment
from bot.storage.models import Report, ReportStatus, Role
from tests import factories


@pytest.fixture
def people(stack):
    with Session(stack.engine) as session:
        factories.task(
            session,
            number=9,
            item_no=2,
            title="进一步强化思想政治工作",
            departments=("宣传部",),
            deadline=(2026, 12),
            leader="张晓峰",
        )
        factories.person(
            session, userid="gaoxiang", name="高翔", roles=((Role.LIAISON, "宣传部"),)
        )
        factories.person(session, userid="wanglei", name="王磊", roles=((Role.HEAD, "宣传部"),))
        factories.person(
            session, userid="zhangxiaofeng", name="张晓峰", roles=((Role.LEADER, None),)
        )
        session.commit()
    for userid in ("gaoxiang", "wanglei", "zhangxiaofeng", "stranger"):
        stack.member(userid)
    clock.set(local_moment(date(2026, 9, 29), 10))
    return stack


def _report(stack) -> Report | None:
    with Session(stack.engine) as session:
        return session.exec(select(Report)).first()


TEXT = "本月完成了学校思想政治工作会议的筹备，印发了会议方案，征集意见23条。"


def test_from_huibao_to_a_submitted_report_that_reaches_the_leader(people) -> None:
    stack = people
    [listing] = stack.say("gaoxiang", "汇报")
    assert "1." in listing and "进展报告" in listing

    replies = stack.say("gaoxiang", "1")
    assert any("工作进展情况" in reply for reply in replies)

    too_long = stack.say("gaoxiang", "进" * 301)
    assert any("301" in reply for reply in too_long)  # says how long it is
    stack.say("gaoxiang", "1")  # re-enter
    preview = stack.say("gaoxiang", TEXT)
    assert any(TEXT in reply for reply in preview)

    done = stack.say("gaoxiang", "1")
    assert any("张晓峰" in reply for reply in done)
    report = _report(stack)
    assert report is not None and report.status == ReportStatus.SUBMITTED
    assert report.text == TEXT and report.period == "2026-09"
    assert report.author_userid == "gaoxiang"
    cards = stack.sandbox.cards_to("zhangxiaofeng")
    assert len(cards) == 1 and cards[0].clickable


def test_cancel_keeps_the_draft_and_huibao_offers_to_resume_it(people) -> None:
    stack = people
    stack.say("gaoxiang", "汇报")
    stack.say("gaoxiang", "1")
    stack.say("gaoxiang", TEXT)
    [cancelled] = stack.say("gaoxiang", "取消")
    assert "草稿" in cancelled
    report = _report(stack)
    assert report is not None and report.status == ReportStatus.DRAFT and report.text == TEXT

    stack.say("gaoxiang", "汇报")
    resumed = stack.say("gaoxiang", "1")
    assert any("草稿" in reply for reply in resumed)


def test_withdraw_and_edit_before_the_leader_acts(people) -> None:
    stack = people
    for step in ("汇报", "1", TEXT, "1"):
        stack.say("gaoxiang", step)
    withdrawn = stack.say("gaoxiang", "撤回 1")
    assert _report(stack).status == ReportStatus.WITHDRAWN, withdrawn

    revised = stack.say("gaoxiang", "修改 1")
    assert revised
    stack.say("gaoxiang", "取消")
    assert _report(stack).status == ReportStatus.WITHDRAWN


def test_a_stranger_and_a_head_cannot_report(people) -> None:
    stack = people
    [stranger] = stack.say("stranger", "汇报")
    assert "党委办公室" in stranger
    head = stack.say("wanglei", "汇报")
    assert any("高翔" in reply for reply in head)
    assert _report(stack) is None
