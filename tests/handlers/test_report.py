"""The liaison's report from 汇报 to a submitted report (R06-R10, R20, R21)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.clock import clock, local_moment
from bot.handlers.message_size import MAX_MESSAGE_BYTES
from bot.periods import Period
from bot.storage import reports
from bot.storage.models import ReportKind, ReportStatus, SelfAssessment
from tests import factories
from tests.handlers.conftest import audit_actions, received, stored_reports

PROGRESS_TEXT = (
    "本月召开全校思想政治工作会议，印发《关于加强和改进新形势下思想政治工作的实施意见》。"
)


@pytest.fixture
def propaganda(tasks) -> dict[str, int]:
    """宣传部's three ★★ tasks in September: progress, overdue progress, summary."""
    return {
        "progress": tasks(
            number=9, item_no=2, title="进一步强化思想政治工作", deadline=(2026, 12)
        ),
        "overdue": tasks(number=12, deadline=(2026, 6)),
        "summary": tasks(number=15, deadline=(2026, 9)),
    }


def test_a_liaison_submits_a_progress_report(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")

    listing = liaison.says("汇报")
    assert "1. 9.(2)子项工作" in listing
    assert "2026年9月进展报告｜未报送" in listing
    assert "截止10月10日" in listing
    assert "3. 15.第15项重点工作" in listing and "2026年9月总结报告" in listing

    card, prompt = liaison.send("1")
    assert "工作内容：9.进一步强化思想政治工作\n(2)子项工作" in card
    assert "实施/牵头部门：宣传部" in card
    assert "要求完成时限：2026年12月" in card
    assert "此前没有报送记录" in card
    assert "一般不超过300字" in prompt

    [preview] = liaison.send(PROGRESS_TEXT)
    assert f"工作进展情况（{len(PROGRESS_TEXT)}字）：\n{PROGRESS_TEXT}" in preview
    assert "提交后送分管校领导王校长审阅" in preview
    assert "1 确认提交" in preview

    [done] = liaison.send("1")
    assert "已送分管校领导王校长审阅" in done
    assert "修改 1" in done and "撤回 1" in done
    assert liaison.state is None

    [report] = stored_reports(engine)
    assert report.status == ReportStatus.SUBMITTED
    assert (report.text, report.kind, report.period) == (PROGRESS_TEXT, "progress", "2026-09")
    assert report.author_userid == "zhangmin"
    assert report.task_id == propaganda["progress"]
    assert report.submitted_at is not None and report.reasons is None
    assert "report.draft" in audit_actions(engine)
    assert "report.submit" in audit_actions(engine)

    # R13, B04: the supervising leader receives the text and a card to approve it.
    to_leader = received(engine, "wangxz")
    assert [message.purpose for message in to_leader] == ["review", "review_card"]
    assert PROGRESS_TEXT in to_leader[0].body()["content"]


def test_full_width_digits_and_a_number_after_the_command(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    card, _prompt = liaison.send("汇报１")
    assert "9.进一步强化思想政治工作" in card
    liaison.send(PROGRESS_TEXT)
    assert "已提交" in liaison.says("１")
    assert stored_reports(engine)[0].status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "text",
    ["字" * 300, "  " + "字" * 300 + "\n", "ab 1 " * 59 + "ab 1。"],
    ids=["300", "ends", "mixed"],
)
def test_r10_up_to_300_characters_goes_straight_to_the_preview(chat, propaganda, text) -> None:
    liaison = chat("zhangmin")
    liaison.send("汇报 1")
    assert "工作进展情况（300字）" in liaison.says(text)


def test_r10_over_300_characters_offers_to_type_again(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    liaison.send("汇报 1")
    long_text = "字" * 301

    warning = liaison.says(long_text)
    assert "共301字，超过了300字" in warning
    assert "1 重新输入" in warning and "2 保留原文" in warning

    old, prompt = liaison.send("1")
    assert long_text in old and "可以复制后修改" in old
    assert "一般不超过300字" in prompt
    assert "工作进展情况（280字）" in liaison.says("字" * 280)
    liaison.send("1")
    assert stored_reports(engine)[0].text == "字" * 280


def test_r10_over_300_characters_may_be_kept(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    liaison.send("汇报 1")
    liaison.send("字" * 420)

    preview = liaison.says("2")
    assert "工作进展情况（420字）" in preview
    assert "内容超过300字，建议精简" in preview
    liaison.send("1")
    assert stored_reports(engine)[0].text == "字" * 420


def test_r09_an_overdue_task_asks_for_the_reasons(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    card, _prompt = liaison.send("汇报 2")
    assert "这项工作已过要求完成时限，本期须说明未完成原因" in card

    assert "已过要求完成时限（2026年6月），请说明未完成的主要原因" in liaison.says("完成调研。")
    preview = liaison.says("经费尚未落实。")
    assert "未完成的主要原因（7字）：\n经费尚未落实。" in preview
    liaison.send("1")

    [report] = stored_reports(engine)
    assert (report.text, report.reasons) == ("完成调研。", "经费尚未落实。")
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("choice", "assessment", "text_prompt", "reasons_prompt"),
    [
        ("1", SelfAssessment.ON_TIME, "重要标志或主要成果", None),
        ("2", SelfAssessment.LATE, "延期完成的主要原因下一步单独填写", "请说明延期完成的主要原因"),
        ("3", SelfAssessment.NOT_DONE, "未完成的主要原因下一步单独填写", "请说明未完成的主要原因"),
    ],
)
def test_r08_summary_with_each_self_assessment(
    chat, engine, propaganda, choice, assessment, text_prompt, reasons_prompt
) -> None:
    liaison = chat("zhangmin")
    card, ask = liaison.send("汇报 3")
    assert "【2026年9月总结报告】" in card and "完成时限：2026年9月" in card
    assert "1 按时完成\n2 延期完成\n3 未完成" in ask

    assert text_prompt in liaison.says(choice)
    after_text = liaison.says("全年工作总结。")
    if reasons_prompt is None:
        assert "完成情况：按时完成" in after_text
    else:
        assert reasons_prompt in after_text
        assert "1 确认提交" in liaison.says("人员调整。")
    liaison.send("1")

    [report] = stored_reports(engine)
    assert report.kind == ReportKind.SUMMARY and report.status == ReportStatus.SUBMITTED
    assert report.self_assessment == assessment
    assert report.text == "全年工作总结。"
    assert report.reasons == (None if reasons_prompt is None else "人员调整。")


def test_changing_the_assessment_to_on_time_drops_the_reasons(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    for answer in ("汇报 3", "3", "总结。", "原因。"):
        liaison.send(answer)

    assert "1 完成情况\n2 工作总结\n3 未完成的主要原因" in liaison.says("2")
    liaison.send("1")
    preview = liaison.says("1")
    assert "完成情况：按时完成" in preview and "原因。" not in preview
    liaison.send("1")

    [report] = stored_reports(engine)
    assert (report.self_assessment, report.reasons) == (SelfAssessment.ON_TIME, None)


def test_the_preview_edits_one_answer_and_keeps_the_others(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    for answer in ("汇报 2", "完成调研。", "经费尚未落实。"):
        liaison.send(answer)

    assert "1 工作进展情况\n2 未完成的主要原因" in liaison.says("2")
    old, _prompt = liaison.send("2")
    assert "经费尚未落实。" in old
    assert "未完成的主要原因（8字）：\n场地改造未完成。" in liaison.says("场地改造未完成。")
    liaison.send("1")

    [report] = stored_reports(engine)
    assert (report.text, report.reasons) == ("完成调研。", "场地改造未完成。")


def test_the_card_shows_the_departments_last_report_shortened(
    chat, engine, propaganda, session
) -> None:
    department = factories.department(session, "宣传部")
    august = reports.report_for(
        session,
        task_id=propaganda["progress"],
        department_id=department.id,
        period=Period.parse("2026-08"),
        kind=ReportKind.PROGRESS,
    )
    clock.set(local_moment(date(2026, 8, 31), 10))
    reports.submit(session, august, actor="zhangmin", text="八月" + "进展" * 40)
    session.commit()
    clock.set(local_moment(date(2026, 9, 29), 10))

    card, _prompt = chat("zhangmin").send("汇报 1")
    assert "上次报送（2026年8月）：八月进展进展" in card
    assert "进展" * 40 not in card and "…" in card


def test_a_returned_report_shows_the_comment_and_is_submitted_again(
    chat, engine, propaganda, session
) -> None:
    liaison = chat("zhangmin")
    for answer in ("汇报 1", PROGRESS_TEXT, "1"):
        liaison.send(answer)
    [report] = stored_reports(engine)
    reports.return_to_liaison(session, report, actor="wangxz", comment="请补充参会人数。")
    session.commit()

    card, offer = liaison.send("汇报 1")
    assert "分管校领导王校长的退回意见：请补充参会人数。" in card
    assert PROGRESS_TEXT in offer and "1 在原内容基础上修改" in offer
    assert "1 确认提交" in liaison.says("1")
    liaison.send("2")
    liaison.send(PROGRESS_TEXT + "参会400人。")
    liaison.send("1")

    [report] = stored_reports(engine)
    assert report.status == ReportStatus.SUBMITTED
    assert report.text.endswith("参会400人。")


def test_a_submitted_report_is_not_opened_again(chat, engine, propaganda) -> None:
    liaison = chat("zhangmin")
    for answer in ("汇报 1", PROGRESS_TEXT, "1"):
        liaison.send(answer)

    assert "2026年9月进展报告｜待审阅" in liaison.says("汇报")
    reply = liaison.says("1")
    assert "已经提交，正等待分管校领导王校长审阅" in reply and "修改 1" in reply
    assert liaison.state == "report:pick"
    assert stored_reports(engine)[0].status == ReportStatus.SUBMITTED


def test_outside_the_reporting_season_says_when_it_opens(chat, engine, propaganda) -> None:
    clock.set(local_moment(date(2026, 9, 15), 10))
    reply = chat("zhangmin").says("汇报")
    assert "现在不在报送期" in reply and "2026年9月的材料从9月28日起可以填写报送" in reply
    assert stored_reports(engine) == []


def test_nothing_owed_says_so(chat, tasks) -> None:
    tasks(number=1, departments=("教务处",))
    assert "2026年9月本部门没有需要报送的材料" in chat("zhangmin").says("汇报")


def test_without_a_registered_leader_the_reply_says_who_was_told(chat, engine, tasks) -> None:
    tasks(number=9, deadline=(2026, 12), leader="张副校长")
    liaison = chat("zhangmin")
    for answer in ("汇报 1", PROGRESS_TEXT):
        liaison.send(answer)

    reply = liaison.says("1")
    assert "分管校领导张副校长尚未在系统中登记，已告知党委办公室和校长办公室" in reply
    assert stored_reports(engine)[0].status == ReportStatus.SUBMITTED
    assert received(engine, "liuyang") and received(engine, "chenjing")


def test_a_long_preview_is_split_within_wecoms_message_size(chat, propaganda) -> None:
    liaison = chat("zhangmin")
    liaison.send("汇报 2")
    liaison.send("进" * 300)

    pieces = liaison.send("因" * 300)
    assert len(pieces) == 2
    assert all(len(piece.encode()) <= MAX_MESSAGE_BYTES for piece in pieces)
    assert "进" * 300 in "\n".join(pieces) and "因" * 300 in "\n".join(pieces)
    assert pieces[-1].endswith("3 取消")
