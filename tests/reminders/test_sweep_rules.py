"""The sweep's rules one at a time: catching up, quiet hours, dry runs, notices, half-years,
long digests and people with two roles."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.clock import local_moment
from bot.periods import Period
from bot.reminders.sweep import BEFORE_REMIND_HOUR, QUIET_HOURS
from bot.storage.due import due_for
from bot.storage.models import Notice, Report, Role, TaskLevel
from bot.storage.workflow import Dispatch
from tests import factories
from tests.reminders.conftest import (
    HEADS,
    JW,
    LIAISONS,
    OFFICES,
    RS,
    XC,
    University,
    build_university,
    plain_settings,
    who,
)

# The window after 2026-09: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13; then 10-14.
WD1, WD2, WD3, WD4, WD5 = (
    date(2026, 10, 8),
    date(2026, 10, 9),
    date(2026, 10, 10),
    date(2026, 10, 12),
    date(2026, 10, 13),
)
CLOSING = date(2026, 10, 14)


def test_a_restart_catches_up_today_but_never_yesterday(university) -> None:
    late_start = university.run(WD2, 15)

    assert who(late_start) == {(LIAISONS[n], "liaison") for n in (XC, JW, RS)} | {
        (HEADS[n], "head") for n in (XC, JW, RS)
    }
    days = set(university.session.exec(select(Dispatch.day)).all())
    assert days == {WD2}

    # Nobody swept on working day 4: the offices' escalation of that day is not sent on day 5.
    assert university.run(WD5, 9, 30).sent == []
    assert university.run(CLOSING, 15).sent != []
    assert not university.session.exec(
        select(Dispatch).where(Dispatch.kind == "escalate_late")
    ).all()


def test_nothing_leaves_in_quiet_hours_or_before_the_reminder_hour(university) -> None:
    for hour, minute, reason in [(21, 0, QUIET_HOURS), (7, 59, QUIET_HOURS), (8, 30, None)]:
        result = university.run(WD2, hour, minute)
        assert result.sent == []
        assert result.held == (reason or BEFORE_REMIND_HOUR)
    assert university.written()[:2] == (0, 0)

    assert len(university.run(WD2, 9).sent) == 6


def test_the_hours_are_settings(university) -> None:
    university.settings = plain_settings(remind_hour=10, quiet_start=18, quiet_end=7)
    assert university.run(WD2, 9, 30).held == BEFORE_REMIND_HOUR
    assert university.run(WD2, 18, 0).held == QUIET_HOURS
    assert university.run(WD2, 10, 0).sent != []


def test_a_dry_run_writes_nothing_and_foretells_the_real_sweep(university) -> None:
    before = university.written()
    dry = university.run(CLOSING, 9, 30, dry_run=True)

    assert university.written() == before
    assert university.session.exec(select(Report.verdict)).all() == []
    assert dry.closed == 0 and who(dry) == {(office, "escalate_missing") for office in OFFICES}

    real = university.run(CLOSING, 9, 30)
    assert [(d.recipient, d.kind, d.text) for d in real.sent] == [
        (d.recipient, d.kind, d.text) for d in dry.sent
    ]
    assert real.closed >= 3
    assert university.run(CLOSING, 9, 30, dry_run=True).sent == []


def test_the_closing_day_records_verdicts_before_escalating(university) -> None:
    university.run(CLOSING, 9, 30)
    verdicts = {
        item.department: item.verdict
        for item in due_for(university.session, Period.parse("2026-09"))
    }
    assert verdicts == {XC: "missing", JW: "missing", RS: "missing"}


def test_a_head_who_is_also_the_liaison_gets_one_digest(session) -> None:
    uni = build_university(session)
    factories.person(
        session,
        userid="both-xc",
        name="一人两职",
        roles=((Role.LIAISON, XC), (Role.HEAD, XC)),
    )
    session.commit()
    got = who(uni.run(WD2, 9, 30))
    assert ("both-xc", "liaison") in got and ("both-xc", "head") not in got
    assert (HEADS[XC], "head") in got


def test_a_long_digest_fits_one_wecom_text_and_says_how_many_more(session) -> None:
    uni = build_university(session)
    for number in range(10, 70):
        factories.task(
            session,
            number=number,
            departments=(XC,),
            deadline=(2026, 12),
            title="深入推进学校综合改革并完善现代大学制度建设的各项配套措施" * 2,
        )
    session.commit()
    text = next(d.text for d in uni.run(WD1, 9, 30).sent if d.recipient == LIAISONS[XC])

    assert len(text.encode("utf-8")) <= 2048
    shown = text.count("• ")
    assert 5 < shown < 61
    assert f"另有 {61 - shown} 项，发送“我的任务”查看全部" in text
    assert text.endswith("发送“汇报”开始填写。")


def test_notices_due_for_a_reply_remind_the_liaison_and_head_daily(university) -> None:
    department = factories.department(university.session, XC)
    notice = Notice(
        year=2026,
        seq=5,
        department_id=department.id or 0,
        task_id=university.tasks[XC].id,
        reply_days=5,
        reply_due=date(2026, 11, 18),
        issued_by="dangban",
    )
    university.session.add(notice)
    university.session.commit()

    assert university.run(date(2026, 11, 17), 9, 30).sent == []
    due_day = university.run(date(2026, 11, 18), 9, 30)
    assert who(due_day) == {(LIAISONS[XC], "notice"), (HEADS[XC], "notice")}
    assert "2026年第5号" in due_day.sent[0].text and "（今天）" in due_day.sent[0].text
    assert "已超过 1 天" in university.run(date(2026, 11, 19), 9, 30).sent[0].text
    assert university.run(date(2026, 11, 21), 9, 30).sent == []  # a Saturday

    notice.status = "replied"
    university.session.add(notice)
    university.session.commit()
    assert university.run(date(2026, 11, 23), 9, 30).sent == []


def test_half_year_reports_follow_the_july_window(session) -> None:
    factories.task(
        session, number=1, level=TaskLevel.GENERAL, departments=(XC,), deadline=(2026, 12)
    )
    factories.person(session, userid="lia", name="联络员", roles=((Role.LIAISON, XC),))
    factories.person(session, userid="dangban", name="党办", roles=((Role.PARTY_OFFICE, None),))
    session.commit()
    uni = University(session)  # no monthly tasks here

    month_end = uni.run(date(2026, 6, 30), 9, 30).sent
    assert [(d.recipient, d.kind.value, d.period) for d in month_end] == [
        ("lia", "liaison", "2026-H1")
    ]
    assert "本半年（2026年上半年）" in month_end[0].text and "半年进展报告" in month_end[0].text
    assert [d.period for d in uni.run(date(2026, 7, 1), 9, 30).sent] == ["2026-H1"]
    closing = uni.run(date(2026, 7, 8), 9, 30).sent
    assert [(d.recipient, d.kind.value) for d in closing] == [("dangban", "escalate_missing")]
    assert [item.verdict for item in due_for(session, Period.parse("2026-H1"))] == ["missing"]


def test_leaders_hear_of_reports_that_waited_through_the_morning(university) -> None:
    university.submit(XC, "2026-09", local_moment(WD1, 8, 50))
    university.submit(JW, "2026-09", local_moment(WD1, 10, 0))
    first = [d for d in university.run(WD1, 15).sent if d.kind == "leader"]
    assert [(d.recipient, d.items) for d in first] == [("wang", 1)]

    second = [d for d in university.run(WD2, 9, 30).sent if d.kind == "leader"]
    assert [(d.recipient, d.items) for d in second] == [("wang", 2)]
    assert "等待您审阅" in second[0].text and JW in second[0].text


def test_dates_of_a_year_without_its_notice_are_marked_provisional(university) -> None:
    december = university.run(date(2026, 12, 30), 9, 30).sent
    assert {d.period for d in december} == {"2026-12"}
    assert all("2027年放假安排尚未正式录入" in d.text for d in december)
    assert "1月6日（第3个工作日）" in december[0].text

    november = university.run(date(2026, 12, 2), 9, 30).sent
    assert november and not any("放假安排" in d.text for d in november)


def test_liaisons_reminded_after_day_3_are_told_what_lateness_means(university) -> None:
    university.settings = plain_settings(reminder_liaison_days=(4, 5))
    day4 = next(d for d in university.run(WD4, 9, 30).sent if d.kind == "liaison")
    day5 = next(d for d in university.run(WD5, 9, 30).sent if d.kind == "liaison")
    assert "已超过按时报送期限（10月10日）" in day4.text
    assert "10月13日（第5个工作日）后仍未完成审阅的，将记为“未上报”" in day4.text
    assert "今天（第5个工作日）是2026年9月工作报告报送的最后期限" in day5.text
