"""Tapping 通过 or 退回 on the card: only the leader or their delegate decides, once."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, col, select

from bot.approval.updater import push_card_updates
from bot.storage import reports
from bot.storage.models import Report
from bot.storage.workflow import ApprovalCard
from bot.wecom.client import WeComClient
from tests.approval.conftest import DELEGATE, HEAD, LEADER, LIAISON, OTHER_LEADER, Review
from tests.stack import wait_until

UPDATE = "message/update_template_card"


def test_approve_on_the_card_judges_the_flow_and_tells_the_department(review: Review) -> None:
    report_id = review.submit(review.task(9, title="进一步强化思想政治工作"))
    leader_card = review.card(LEADER, report_id).task_id
    delegate_card = review.card(DELEGATE, report_id).task_id

    review.click(LEADER, report_id, "approve")

    report = review.report(report_id)
    assert (report.status, report.verdict, report.approver_userid) == (
        "approved",
        "on_time",
        LEADER,
    )
    assert [(a.action, a.via) for a in review.approvals(report_id)] == [("approve", "card")]
    review.wait_greyed(LEADER, leader_card, "已通过")
    review.wait_greyed(DELEGATE, delegate_card, "已通过")
    for userid in (LIAISON, HEAD):
        [notice] = review.texts(userid)
        assert "已经分管校领导王校长审阅通过" in notice
        assert "本期报送认定为“按时上报”" in notice
    assert "已审阅通过" in review.texts(LEADER)[-1]
    wait_until(lambda: all(row.response_code is None for row in review.card_rows(report_id)))


def test_return_asks_for_a_comment_which_reaches_the_liaison(review: Review) -> None:
    task_id = review.task(9)
    report_id = review.submit(task_id, "第一稿。")
    first_card = review.card(LEADER, report_id).task_id

    review.click(LEADER, report_id, "return")
    assert "请输入退回意见" in review.texts(LEADER)[-1]
    assert review.report(report_id).status == "submitted"

    replies = review.stack.say(LEADER, "请补充具体数据和标志性成果。")
    assert "已退回" in replies[0]
    report = review.report(report_id)
    assert (report.status, report.return_comment) == ("returned", "请补充具体数据和标志性成果。")
    assert [(a.action, a.via) for a in review.approvals(report_id)] == [("return", "card")]
    [notice] = review.texts(LIAISON)
    assert "请补充具体数据和标志性成果。" in notice and "发送“修改 1”" in notice
    review.wait_greyed(LEADER, first_card, "已退回")
    assert review.stack.runtime.store.get_state(LEADER) is None

    # The liaison's revised version comes back as a new card, which can be approved.
    review.submit(task_id, "第二稿，补充了数据。")
    second_card = review.card(LEADER, report_id)
    assert second_card.task_id != first_card and second_card.clickable
    review.click(LEADER, report_id, "approve")
    assert review.report(report_id).status == "approved"
    review.wait_greyed(LEADER, second_card.task_id, "已通过")


def test_a_leader_who_cancels_the_return_can_still_approve_on_the_card(review: Review) -> None:
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id
    review.click(LEADER, report_id, "return")

    assert "已取消" in review.stack.say(LEADER, "取消")[0]
    assert review.report(report_id).status == "submitted"
    assert review.stack.sandbox.card(LEADER, task_id).clickable

    review.click(LEADER, report_id, "approve")
    assert review.report(report_id).status == "approved"
    review.wait_greyed(LEADER, task_id, "已通过")


def test_a_second_click_and_a_replayed_callback_change_nothing(review: Review) -> None:
    review.stack.runtime.cards.stop()  # the card keeps its buttons until this test greys it
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id

    review.click(LEADER, report_id, "approve")
    approved_at = review.report(report_id).approved_at
    assert review.stack.users.resend_last().status_code == 200
    review.click(LEADER, report_id, "return")

    assert "这份材料已审阅通过，无需再次操作" in review.texts(LEADER)[-1]
    assert review.report(report_id).approved_at == approved_at
    assert review.report(report_id).status == "approved"
    assert [a.action for a in review.approvals(report_id)] == ["approve"]
    assert len(review.texts(LIAISON)) == 1
    assert review.stack.runtime.store.get_state(LEADER) is None
    assert [row.outcome for row in review.card_rows(report_id)] == ["approve", "approve"]

    # The second click's fresh code still greys the card out.
    with WeComClient.from_settings(review.stack.runtime.settings) as client:
        assert push_card_updates(review.stack.engine, client) == 2
    assert review.stack.sandbox.card(LEADER, task_id).replace_name == "已通过"


def test_a_click_from_someone_else_is_refused_and_logged(
    review: Review, caplog: pytest.LogCaptureFixture
) -> None:
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id
    caplog.set_level(logging.WARNING, logger="bot.handlers.approval")

    response = review.stack.users.post_raw(_click_xml(review, OTHER_LEADER, task_id, report_id))
    assert response.status_code == 200
    review.stack.settle()

    assert review.report(report_id).status == "submitted"
    assert review.approvals(report_id) == []
    assert all(row.status == "open" for row in review.card_rows(report_id))
    assert review.stack.sandbox.messages_to(OTHER_LEADER) == []
    assert review.stack.sandbox.card(LEADER, task_id).clickable
    assert any("refused" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_the_delegate_can_approve_on_their_card_and_the_leader_is_told(review: Review) -> None:
    report_id = review.submit(review.task(9))
    leader_card = review.card(LEADER, report_id).task_id

    review.click(DELEGATE, report_id, "approve")

    report = review.report(report_id)
    assert (report.status, report.approver_userid) == ("approved", DELEGATE)
    review.wait_greyed(LEADER, leader_card, "已通过")
    assert "刘秘书已代您审阅通过" in review.texts(LEADER)[-1]
    assert "（刘秘书代为审阅）" in review.texts(LIAISON)[-1]


def test_the_leader_userid_matches_whatever_its_case(review: Review) -> None:
    report_id = review.submit(review.task(9))

    review.click(LEADER.lower(), report_id, "approve")

    assert review.report(report_id).status == "approved"


def test_a_click_on_a_withdrawn_report_decides_nothing_and_greys_the_card(
    review: Review,
) -> None:
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id
    with Session(review.stack.engine) as session:
        report = session.get(Report, report_id)
        assert report is not None
        reports.withdraw(session, report, actor=LIAISON)
        session.commit()

    review.click(LEADER, report_id, "approve")

    assert review.report(report_id).status == "withdrawn"
    assert review.approvals(report_id) == []
    assert "这份材料已由联络员撤回" in review.texts(LEADER)[-1]
    review.wait_greyed(LEADER, task_id, "已失效")


def test_greying_out_survives_a_wecom_outage(review: Review) -> None:
    review.stack.runtime.cards.stop()  # this test runs the update passes itself
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id
    review.stack.sandbox.fail_next(1, -1, path=UPDATE)
    review.click(LEADER, report_id, "approve")

    with WeComClient.from_settings(review.stack.runtime.settings) as client:
        assert push_card_updates(review.stack.engine, client) == 0
        assert review.stack.sandbox.card(LEADER, task_id).clickable
        assert review.card_rows(report_id)[0].response_code is not None

        assert push_card_updates(review.stack.engine, client) == 2  # the delegate's card too
        assert push_card_updates(review.stack.engine, client) == 0

    assert review.stack.sandbox.card(LEADER, task_id).replace_name == "已通过"
    assert all(row.response_code is None for row in review.card_rows(report_id))


def _click_xml(review: Review, userid: str, task_id: str, report_id: int) -> str:
    """A card click as WeCom would send it, from a member who never received the card."""
    sandbox = review.stack.sandbox
    return (
        f"<xml><ToUserName><![CDATA[{sandbox.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{userid}]]></FromUserName><CreateTime>1790000000</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey><![CDATA[approve:{report_id}]]></EventKey>"
        f"<TaskId><![CDATA[{task_id}]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType>"
        "<ResponseCode><![CDATA[forged-code]]></ResponseCode>"
        f"<AgentID>{sandbox.agent_id}</AgentID></xml>"
    )


def test_a_report_submitted_and_revised_in_chat_comes_back_as_a_new_card(review: Review) -> None:
    review.task(9)
    say = review.stack.say
    say(LIAISON, "汇报 1")
    say(LIAISON, "召开学科建设推进会。")
    say(LIAISON, "1")
    report_id = _all_card_rows(review)[0].report_id
    first = review.card(LEADER, report_id).task_id

    review.click(LEADER, report_id, "return")
    say(LEADER, "请写明推进会的成果。")
    assert "发送“修改 1”" in review.texts(LIAISON)[-1]
    say(LIAISON, "修改 1")
    say(LIAISON, "召开学科建设推进会，形成三项整改措施。")
    say(LIAISON, "1")

    second = review.card(LEADER, report_id)
    assert second.task_id != first and second.clickable
    assert "形成三项整改措施" in second.template_card["sub_title_text"]
    review.click(LEADER, report_id, "approve")
    assert review.report(report_id).status == "approved"


def _all_card_rows(review: Review) -> list[ApprovalCard]:
    with Session(review.stack.engine) as session:
        return list(session.exec(select(ApprovalCard).order_by(col(ApprovalCard.id))).all())
