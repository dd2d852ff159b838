"""A reporting month walked day by day, on SQLite and PostgreSQL (R12-R15, B02, B05).

Each morning the sweep runs twice and each afternoon once. 宣传部 submits on working day 1
and its leader approves on day 2 (按时上报); 教务处 submits on the afternoon of day 3 and is
approved on day 4 (逾期上报); 人事处, whose task ends in the report month and so owes a
completion summary, never reports (未上报).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bot.clock import local_moment
from bot.periods import Period
from bot.storage.due import due_for
from bot.storage.messaging import OutboxMessage
from bot.storage.workflow import Dispatch
from tests.reminders.conftest import HEADS, JW, LIAISONS, OFFICES, RS, XC


@dataclass(frozen=True)
class Month:
    period: str
    month_end: tuple[date, date]  # the last two working days of the report month
    window: tuple[date, date, date, date, date]  # working days 1-5
    closing: date  # the first working day after working day 5
    on_time_words: str  # how the digests name the on-time deadline


SEPTEMBER = Month(  # National Day: the window opens on 10-08, day 3 is a make-up Saturday
    "2026-09",
    (date(2026, 9, 29), date(2026, 9, 30)),
    (
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
        date(2026, 10, 13),
    ),
    date(2026, 10, 14),
    "10月10日（周六调休上班，第3个工作日）",
)
NOVEMBER = Month(  # a plain month
    "2026-11",
    (date(2026, 11, 27), date(2026, 11, 30)),
    (
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 7),
    ),
    date(2026, 12, 8),
    "12月3日（第3个工作日）",
)


def expected(month: Month) -> dict[date, set[tuple[str, str]]]:
    """Who hears what on which day, given the moves of this walk."""
    all_liaisons = {(LIAISONS[name], "liaison") for name in (XC, JW, RS)}
    late_ones = {(LIAISONS[JW], "liaison"), (LIAISONS[RS], "liaison")}
    late_heads = {(HEADS[JW], "head"), (HEADS[RS], "head")}
    wd1, wd2, wd3, wd4, _wd5 = month.window
    return {
        month.month_end[0]: all_liaisons,
        month.month_end[1]: all_liaisons,
        wd1: all_liaisons,
        # 宣传部 submitted yesterday: its leader hears, its liaison and head do not.
        wd2: late_ones | late_heads | {("wang", "leader")},
        wd3: late_ones | late_heads,
        # 教务处 submitted after yesterday's last sweep; the offices hear who is late.
        wd4: {("wang", "leader")} | {(office, "escalate_late") for office in OFFICES},
        month.closing: {(office, "escalate_missing") for office in OFFICES},
    }


def days(month: Month) -> list[date]:
    first, last = month.month_end[0] - timedelta(days=1), month.closing + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("month", [SEPTEMBER, NOVEMBER], ids=["2026-09", "2026-11"])
def test_a_month_of_reminders_reaches_each_person_once_on_the_right_day(
    make_university, month: Month
) -> None:
    year, number = Period.parse(month.period).year, Period.parse(month.period).last_month
    uni = make_university(summary_month=(year, number))
    wd1, wd2, wd3, wd4, _ = month.window
    sent: dict[date, list] = {}

    for day in days(month):
        results = [uni.run(day, 9, 0), uni.run(day, 9, 30)]
        if day == wd1:
            uni.submit(XC, month.period, local_moment(day, 10))
        if day == wd2:
            uni.approve(XC, month.period, local_moment(day, 11))
        if day == wd4:
            uni.approve(JW, month.period, local_moment(day, 11))
        results.append(uni.run(day, 15, 0))
        if day == wd3:
            uni.submit(JW, month.period, local_moment(day, 16))
        sent[day] = [digest for result in results for digest in result.sent]

    wanted = expected(month)
    for day, digests in sent.items():
        got = [(digest.recipient, digest.kind.value) for digest in digests]
        assert sorted(got) == sorted(wanted.get(day, set())), day
        assert all(digest.period == month.period and digest.day == day for digest in digests)

    everything = [digest for digests in sent.values() for digest in digests]
    keys = Counter((d.recipient, d.kind, d.day) for d in everything)
    assert max(keys.values()) == 1
    assert uni.count(Dispatch) == len(everything) == uni.count(OutboxMessage)

    verdicts = {
        item.department: item.verdict for item in due_for(uni.session, Period.parse(month.period))
    }
    assert verdicts == {XC: "on_time", JW: "late", RS: "missing"}

    texts = {(d.recipient, d.kind.value, d.day): d.text for d in everything}
    assert month.on_time_words in texts[(LIAISONS[RS], "liaison", wd1)]
    assert "总结报告" in texts[(LIAISONS[RS], "liaison", month.month_end[0])]
    assert "总结报告" not in texts[(LIAISONS[XC], "liaison", month.month_end[0])]
    assert "本月" in texts[(LIAISONS[XC], "liaison", month.month_end[0])]
    assert "最后一天" in texts[(LIAISONS[JW], "liaison", wd3)]
    assert "人事处" in texts[("dangban", "escalate_late", wd4)]
    missing = texts[("xiaoban", "escalate_missing", month.closing)]
    assert "按时上报 1 份，逾期上报 1 份，未上报 1 份" in missing
    assert "人事处 1 份" in missing and "李校长 1 份" in missing
