"""The text commands that work whatever became of the card: 待审, 通过 N, 退回 N, 全部通过."""

from __future__ import annotations

from datetime import date

from bot.approval.updater import push_card_updates
from bot.clock import clock, local_moment
from bot.wecom.client import WeComClient
from tests.approval.conftest import DELEGATE, HEAD, LEADER, LIAISON, OTHER_LEADER, Review

UPDATE = "message/update_template_card"


def _say(review: Review, userid: str, text: str) -> str:
    return "\n".join(review.stack.say(userid, text))


def test_pending_lists_the_reports_waiting_on_the_leader_by_id(review: Review) -> None:
    first = review.submit(review.task(9, title="进一步强化思想政治工作"), "召开了工作会议。")
    second = review.submit(review.task(10, title="推进一流学科建设"), "完成了学科评估材料。")
    review.submit(review.task(11, leader="赵校长"), "赵校长分管的工作。")

    for command in ("待审", "待审阅"):
        listing = _say(review, LEADER, command)
        assert "待您审阅的材料共2份" in listing
        assert f"【{first}】9.进一步强化思想政治工作" in listing
        assert f"【{second}】10.推进一流学科建设" in listing
        assert "召开了工作会议。" in listing and "赵校长分管的工作" not in listing

    assert "代分管校领导王校长审阅" in _say(review, DELEGATE, "待审")
    assert "只有分管校领导" in _say(review, LIAISON, "待审")


def test_approve_by_text_after_the_card_can_no_longer_change(review: Review) -> None:
    review.stack.runtime.cards.stop()  # this test runs the update pass itself
    report_id = review.submit(review.task(9))
    task_id = review.card(LEADER, report_id).task_id
    review.stack.sandbox.fail_next(1, 60140, path=UPDATE)  # the code is spent

    reply = _say(review, LEADER, f"通过 {report_id}")

    assert "已审阅通过" in reply and "按时上报" in reply
    assert review.report(report_id).status == "approved"
    assert [(a.action, a.via) for a in review.approvals(report_id)] == [("approve", "text")]
    assert "审阅通过" in review.texts(LIAISON)[-1] and "审阅通过" in review.texts(HEAD)[-1]
    with WeComClient.from_settings(review.stack.runtime.settings) as client:
        push_card_updates(review.stack.engine, client)
        assert push_card_updates(review.stack.engine, client) == 0  # 60140 is not retried
    assert review.stack.sandbox.card(LEADER, task_id).replace_name is None
    assert review.card_rows(report_id)[0].status == "acted"


def test_a_later_approval_day_is_judged_late(review: Review) -> None:
    report_id = review.submit(review.task(9))
    clock.set(local_moment(date(2026, 10, 12), 9))  # working day 4

    assert "逾期上报" in _say(review, LEADER, f"通过{report_id}")  # typed without a space

    assert review.report(report_id).verdict == "late"


def test_return_by_text_with_the_comment_or_after_asking_for_it(review: Review) -> None:
    first = review.submit(review.task(9))
    second = review.submit(review.task(10))

    assert "已退回" in _say(review, LEADER, f"退回 {first}：请补充标志性成果")
    assert review.report(first).return_comment == "请补充标志性成果"
    assert "请补充标志性成果" in review.texts(LIAISON)[-1]
    review.wait_greyed(LEADER, review.card(LEADER, first).task_id, "已退回")

    assert "请输入退回意见" in _say(review, LEADER, f"退回 {second}")
    assert review.report(second).status == "submitted"
    assert "已退回" in _say(review, LEADER, "数据与上月重复，请核实。")
    assert review.report(second).return_comment == "数据与上月重复，请核实。"
    assert [a.via for a in review.approvals(second)] == ["text"]


def test_a_command_while_a_comment_is_awaited_leaves_the_return(review: Review) -> None:
    first = review.submit(review.task(9))
    second = review.submit(review.task(10))
    _say(review, LEADER, f"退回 {first}")

    assert "已审阅通过" in _say(review, LEADER, f"通过 {second}")

    assert review.report(first).status == "submitted"
    assert review.report(second).status == "approved"
    assert review.stack.runtime.store.get_state(LEADER) is None


def test_approve_all_asks_for_confirmation_first(review: Review) -> None:
    ids = [review.submit(review.task(number)) for number in (9, 10, 11)]

    assert "2026年8月没有待您审阅的材料" in _say(review, LEADER, "全部通过 2026-08")
    listing = _say(review, LEADER, "全部通过 2026年9月")
    assert "以下3份2026年9月材料将全部审阅通过" in listing and "回复“确认”" in listing
    assert all(review.report(report_id).status == "submitted" for report_id in ids)

    assert "请回复“确认”" in _say(review, LEADER, "好的")
    done = _say(review, LEADER, "确认")

    assert "已全部审阅通过，共3份" in done
    for report_id in ids:
        assert review.report(report_id).status == "approved"
        assert [a.via for a in review.approvals(report_id)] == ["bulk"]
    assert len([t for t in review.texts(LIAISON) if "审阅通过" in t]) == 3
    assert "目前没有待您审阅的材料" in _say(review, LEADER, "待审")


def test_approve_all_skips_what_was_decided_meanwhile(review: Review) -> None:
    first = review.submit(review.task(9))
    second = review.submit(review.task(10))
    _say(review, LEADER, "全部通过")
    _say(review, DELEGATE, f"退回 {first} 请重写")

    done = _say(review, LEADER, "确认")

    assert "共1份" in done and "另有1份" in done
    assert review.report(first).status == "returned"
    assert review.report(second).status == "approved"


def test_the_delegate_may_act_by_text_and_others_are_told_it_is_not_theirs(
    review: Review,
) -> None:
    report_id = review.submit(review.task(9))

    assert "不由您审阅" in _say(review, OTHER_LEADER, f"通过 {report_id}")
    assert "不由您审阅" in _say(review, LIAISON, f"退回 {report_id} 不行")
    assert review.report(report_id).status == "submitted"

    assert "已审阅通过" in _say(review, DELEGATE, f"通过 {report_id}")
    assert review.report(report_id).approver_userid == DELEGATE
    assert "已审阅通过，无需再次操作" in _say(review, LEADER, f"通过 {report_id}")
    assert "没有编号为999的材料" in _say(review, LEADER, "通过 999")
    assert "请在“通过”后加上材料编号" in _say(review, LEADER, "通过")
