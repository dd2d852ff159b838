"""Reading the offices' LEADER_DELEGATES setting."""

from __future__ import annotations

import logging

import pytest

from bot.approval.delegates import Delegates


def test_delegates_are_read_case_insensitively_and_a_leader_may_have_several() -> None:
    delegates = Delegates.parse("WangXZ:MiShu, wangxz:other，zhaofz:mishu")

    assert delegates.of("WANGXZ") == ("mishu", "other")
    assert delegates.leaders_of("MISHU") == ["wangxz", "zhaofz"]
    assert delegates.may_act_for("Other", "wangxz")
    assert delegates.may_act_for("wangxz", "WangXZ")
    assert not delegates.may_act_for("other", "zhaofz")
    assert Delegates.parse("").by_leader == {}


def test_a_malformed_entry_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.approval.delegates"):
        delegates = Delegates.parse("wangxz:mishu,zhaofz,:nobody")

    assert delegates.by_leader == {"wangxz": ("mishu",)}
    assert len(caplog.records) == 2
