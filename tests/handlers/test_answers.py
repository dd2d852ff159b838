"""Reading phone input, and keeping replies within WeCom's message size."""

from __future__ import annotations

import pytest

from bot.handlers.answers import command_number, glued_command, is_command, read_choice
from bot.handlers.message_size import MAX_MESSAGE_BYTES, split_message


@pytest.mark.parametrize(
    ("text", "number"),
    [("2", 2), ("２", 2), (" 12 ", 12), ("2.", 2), ("２、", 2), ("第2项", 2), ("二", None)],
)
def test_read_number_takes_half_and_full_width_digits(text: str, number: int | None) -> None:
    assert read_choice(text, 20) == number


def test_read_choice_refuses_numbers_out_of_range() -> None:
    assert read_choice("0", 3) is None
    assert read_choice("4", 3) is None
    assert read_choice("3", 3) == 3


@pytest.mark.parametrize(
    ("text", "number"),
    [("汇报", None), ("汇报 2", 2), ("汇报2", 2), ("汇报２", 2), ("汇报 本月", None)],
)
def test_command_number(text: str, number: int | None) -> None:
    assert command_number(text, "汇报") == number


def test_glued_command_only_for_the_given_words() -> None:
    assert glued_command("撤回3", ("撤回",)) == "撤回"
    assert glued_command("撤回", ("撤回",)) is None
    assert glued_command("通过3", ("撤回",)) is None


def test_is_command_knows_the_composed_router() -> None:
    assert is_command("汇报")
    assert is_command("修改 2")
    assert is_command("帮助")
    assert not is_command("汇报本月工作情况如下")
    assert not is_command("1")


def test_split_message_keeps_every_line_within_the_limit() -> None:
    text = "\n".join(["报告正文" * 60] * 5)  # 5 lines of 720 bytes
    pieces = split_message(text)
    assert all(len(piece.encode()) <= MAX_MESSAGE_BYTES for piece in pieces)
    assert "\n".join(pieces) == text
    assert len(pieces) == 3


def test_split_message_cuts_one_overlong_line_between_characters() -> None:
    line = "字" * 1500  # 4500 bytes
    pieces = split_message(line)
    assert "".join(pieces) == line
    assert [len(piece) for piece in pieces] == [682, 682, 136]


def test_split_message_leaves_short_text_whole() -> None:
    assert split_message("好的") == ["好的"]
