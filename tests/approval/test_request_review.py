"""A submitted report reaches its leader: the full text, then a card within WeCom's limits."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.storage.models import ReportKind, Role, SelfAssessment
from tests import factories
from tests.approval.conftest import DELEGATE, LEADER, LIAISON, OFFICE, Review

TASK_ID = re.compile(r"rpt(\d+)-(\d+)-[0-9a-f]{6}")
LONG_TEXT = "本月召开学校思想政治工作会议，印发实施方案，" + "各学院逐项落实并形成台账。" * 22


def test_the_leader_gets_the_whole_text_then_the_card(review: Review) -> None:
    task_id = review.task(9, title="进一步强化思想政治工作")
    report_id = review.submit(task_id, LONG_TEXT)

    messages = review.stack.sandbox.messages_to(LEADER)
    assert [m.msgtype for m in messages] == ["text", "template_card"]
    assert LONG_TEXT in (messages[0].content or "")
    assert f"通过 {report_id}" in (messages[0].content or "")

    card = review.card(LEADER, report_id).template_card
    match = TASK_ID.fullmatch(card["task_id"])
    assert match is not None and int(match.group(1)) == report_id
    assert len(card["task_id"].encode()) <= 128
    assert card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "9.进一步强化思想政治工作"
    assert card["main_title"]["desc"] == "2026年9月进展报告 · 请于10月10日前审阅"
    assert card["sub_title_text"].startswith(LONG_TEXT[:100])
    assert card["sub_title_text"].endswith("…") and len(card["sub_title_text"]) == 112
    assert [(f["keyname"], f["value"]) for f in card["horizontal_content_list"]] == [
        ("部门", "宣传部"),
        ("周期", "2026年9月"),
        ("类型", "进展报告"),
        ("提交人", "张三"),
    ]
    assert [(b["text"], b["style"], b["key"]) for b in card["button_list"]] == [
        ("通过", 1, f"approve:{report_id}"),
        ("退回", 2, f"return:{report_id}"),
    ]


def test_the_card_is_recorded_and_the_delegate_gets_a_copy(review: Review) -> None:
    report_id = review.submit(review.task(9))

    leader_row, delegate_row = review.card_rows(report_id)
    assert (leader_row.leader_userid, leader_row.status) == (LEADER, "open")
    assert (delegate_row.leader_userid, delegate_row.status) == (LEADER, "open")
    assert leader_row.card_task_id == review.card(LEADER, report_id).task_id
    assert delegate_row.card_task_id == review.card(DELEGATE, report_id).task_id
    assert leader_row.outbox_id is not None and delegate_row.outbox_id is not None
    assert review.card(DELEGATE, report_id).clickable


def test_a_summary_with_a_sub_item_folds_period_and_kind_to_fit_six_fields(
    review: Review,
) -> None:
    task_id = review.task(12, item_no=2, deadline=(2026, 9))
    report_id = review.submit(
        task_id,
        "会议已召开，方案已印发。",
        kind=ReportKind.SUMMARY,
        assessment=SelfAssessment.LATE,
        reasons="上级文件下发较晚，会议推迟到9月下旬召开，相关配套制度仍在征求意见。",
    )

    fields = review.card(LEADER, report_id).template_card["horizontal_content_list"]
    assert [(f["keyname"], f["value"]) for f in fields] == [
        ("子项", "(2)子项工作"),
        ("部门", "宣传部"),
        ("报告", "2026年9月总结报告"),
        ("自评", "延期完成"),
        ("延期原因", "上级文件下发较晚，会议推迟到9月下旬召开，相关配套…"),
        ("提交人", "张三"),
    ]
    text = review.texts(LEADER)[0]
    assert "完成情况：延期完成" in text and "相关配套制度仍在征求意见。" in text


def test_a_resubmitted_report_gets_a_new_card_and_the_old_one_lapses(review: Review) -> None:
    task_id = review.task(9)
    report_id = review.submit(task_id, "第一稿。")
    first = review.card(LEADER, report_id).task_id

    review.submit(task_id, "第二稿。")
    second = review.card(LEADER, report_id).task_id

    assert second != first
    assert TASK_ID.fullmatch(second) is not None
    statuses = [(row.card_task_id, row.status) for row in review.card_rows(report_id)]
    assert statuses[2:] == [(second, "open"), (statuses[3][0], "open")]
    assert [status for _, status in statuses[:2]] == ["superseded", "superseded"]
    review.wait_greyed(LEADER, first, "已失效")
    assert review.stack.sandbox.card(LEADER, second).clickable


def test_a_leader_missing_from_the_people_table_is_reported_to_the_offices(
    review: Review,
) -> None:
    task_id = review.task(15, leader="钱校长")
    report_id = review.submit(task_id)

    assert review.card_rows(report_id) == []
    [notice] = review.texts(OFFICE)
    assert "钱校长" in notice and "不在人员名单中" in notice and "待审" in notice
    assert review.stack.sandbox.messages_to(LEADER) == []

    # Once the offices register the leader, the report waits in their 待审 list.
    with Session(review.stack.engine) as session:
        factories.person(session, userid="qianxz", name="钱校长", roles=((Role.LEADER, None),))
        session.commit()
    review.stack.member("qianxz", "钱校长")
    assert f"【{report_id}】" in "\n".join(review.stack.say("qianxz", "待审"))
    assert "已审阅通过" in "\n".join(review.stack.say("qianxz", f"通过 {report_id}"))
    assert review.report(report_id).status == "approved"
    assert any("审阅通过" in text for text in review.texts(LIAISON))
