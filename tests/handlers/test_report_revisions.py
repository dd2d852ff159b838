"""Taking a report back (撤回), re-opening it (修改), and drafts that survive a dropped chat."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from bot.storage import reports
from bot.storage.models import ReportStatus, SelfAssessment
from bot.storage.state import MemoryStateStore
from bot.storage.workflow import ApprovalCard
from tests.handlers.conftest import Chat, audit_actions, stored_reports

TEXT = "本月完成校园文化建设方案起草，征求意见两轮。"


@pytest.fixture
def liaison(chat, tasks) -> Chat:
    """张敏 of 宣传部, owing a progress report (1) and a completion summary (2)."""
    tasks(number=9, deadline=(2026, 12))
    tasks(number=15, deadline=(2026, 9))
    return chat("zhangmin")


def card_states(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(ApprovalCard.status).order_by(col(ApprovalCard.id))))


def submit_progress(liaison: Chat) -> None:
    for answer in ("汇报 1", TEXT, "1"):
        liaison.send(answer)


def test_withdraw_a_submitted_report(liaison, engine) -> None:
    submit_progress(liaison)

    reply = liaison.says("撤回 1")
    assert "已撤回2026年9月进展报告（9.第9项重点工作）" in reply
    assert "汇报 1" in reply
    [report] = stored_reports(engine)
    assert report.status == ReportStatus.WITHDRAWN and report.text == TEXT
    assert "report.withdraw" in audit_actions(engine)
    assert card_states(engine) == ["superseded"]  # the leader's buttons no longer apply

    assert "这份材料已经撤回了" in liaison.says("撤回 1")


def test_withdraw_without_a_number_lists_what_can_be_withdrawn(liaison, engine) -> None:
    submit_progress(liaison)

    listing = liaison.says("撤回")
    assert "1. 9.第9项重点工作" in listing and "15." not in listing
    assert "已撤回" in liaison.says("1")
    assert stored_reports(engine)[0].status == ReportStatus.WITHDRAWN


def test_nothing_to_withdraw(liaison) -> None:
    assert "目前没有可以撤回的材料" in liaison.says("撤回")
    assert "还没有提交，无需撤回" in liaison.says("撤回 2")


def test_after_the_leader_approved_neither_withdraw_nor_edit(liaison, engine, session) -> None:
    submit_progress(liaison)
    [report] = stored_reports(engine)
    reports.approve(session, report, actor="wangxz", calendar=liaison.calendar)
    session.commit()

    assert "分管校领导已经审阅了这份材料，不能再撤回" in liaison.says("撤回 1")
    assert "不能再修改" in liaison.says("修改 1")
    assert "无需再报" in liaison.says("汇报 1")
    [report] = stored_reports(engine)
    assert report.status == ReportStatus.APPROVED and report.text == TEXT


def test_edit_a_submitted_report_withdraws_it_and_shows_the_old_text(liaison, engine) -> None:
    submit_progress(liaison)

    reopened, card, old, prompt = liaison.send("修改 1")
    assert "已从送审中撤回" in reopened
    assert "工作内容：9.第9项重点工作" in card
    assert TEXT in old and "可以复制后修改" in old
    assert "请填写本期工作进展情况" in prompt
    assert stored_reports(engine)[0].status == ReportStatus.WITHDRAWN

    liaison.send(TEXT + "已定稿。")
    assert "已提交" in liaison.says("1")
    [report] = stored_reports(engine)
    assert report.status == ReportStatus.SUBMITTED and report.text == TEXT + "已定稿。"
    assert card_states(engine) == ["superseded", "open"]


def test_edit_without_a_number_then_choose_which_answer(liaison, engine) -> None:
    for answer in ("汇报 2", "2", "总结。", "人员调整。", "1"):
        liaison.send(answer)

    listing = liaison.says("修改")
    assert "2. 15.第15项重点工作" in listing and "9.第9项" not in listing
    *_, fields, menu = liaison.send("2")
    assert "完成情况：延期完成" in fields and "工作总结（3字）" in fields
    assert "1 完成情况\n2 工作总结\n3 延期完成的主要原因" in menu
    liaison.send("3")
    liaison.send("主要负责人调整。")
    liaison.send("1")

    [report] = stored_reports(engine)
    assert report.status == ReportStatus.SUBMITTED
    assert (report.self_assessment, report.text) == (SelfAssessment.LATE, "总结。")
    assert report.reasons == "主要负责人调整。"


def test_a_draft_survives_cancel_and_is_offered_again(liaison, engine) -> None:
    liaison.send("汇报 1")
    liaison.send(TEXT)
    assert "已取消" in liaison.says("取消")
    [draft] = stored_reports(engine)
    assert draft.status == ReportStatus.DRAFT and draft.text == TEXT

    assert "2026年9月进展报告｜草稿" in liaison.says("汇报")
    _card, offer = liaison.send("1")
    assert f"未提交的草稿：\n工作进展情况（{len(TEXT)}字）：\n{TEXT}" in offer
    assert "1 继续上次草稿\n2 重新填写" in offer
    assert TEXT in liaison.says("1")
    liaison.send("1")
    assert stored_reports(engine)[0].status == ReportStatus.SUBMITTED


def test_a_draft_survives_a_state_store_that_forgot_the_user(liaison, engine) -> None:
    for answer in ("汇报 2", "3", "目标基本完成。"):
        liaison.send(answer)
    assert liaison.state == "report:reasons"

    liaison.store = MemoryStateStore()  # restarted without Redis, or the state expired
    assert "没有理解" in liaison.says("原因是经费不足。")
    _card, offer = liaison.send("汇报 2")
    assert "完成情况：未完成" in offer and "目标基本完成。" in offer
    assert "请说明未完成的主要原因" in liaison.says("1")
    liaison.send("经费不足。")
    liaison.send("1")

    [report] = stored_reports(engine)
    assert report.status == ReportStatus.SUBMITTED
    assert (report.self_assessment, report.text, report.reasons) == (
        SelfAssessment.NOT_DONE,
        "目标基本完成。",
        "经费不足。",
    )


def test_start_again_clears_the_draft(liaison, engine) -> None:
    for answer in ("汇报 2", "2", "总结。", "取消"):
        liaison.send(answer)
    liaison.send("汇报 2")

    assert "请选择这项工作的完成情况" in liaison.says("2")
    [draft] = stored_reports(engine)
    assert (draft.text, draft.self_assessment, draft.reasons) == ("", None, None)
    assert "report.draft" in audit_actions(engine)


def test_a_report_submitted_by_someone_else_meanwhile_ends_the_step(
    liaison, engine, session
) -> None:
    liaison.send("汇报 1")
    liaison.send(TEXT)
    [report] = stored_reports(engine)
    reports.submit(session, report, actor="another", text="另一位联络员提交的内容。")
    session.commit()

    assert "现在是“待审阅”状态，本次填写已结束" in liaison.says("1")
    assert stored_reports(engine)[0].text == "另一位联络员提交的内容。"
    assert liaison.state is None


def test_a_step_whose_data_expired_points_back_to_the_draft(liaison, engine, store) -> None:
    store.set_state("zhangmin", "report:text")  # the state outlived its data

    assert "本次填写已中断，已填的内容保存在草稿中" in liaison.says(TEXT)
    assert liaison.state is None
    assert stored_reports(engine) == []
