"""Every spelling the importer reads in a single cell (R01-R05)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.importing.cells import (
    CellError,
    DepartmentRef,
    chinese_number,
    department_name,
    half_width,
    level_of_marks,
    parse_deadline,
    parse_departments,
    parse_heading,
    parse_level,
    parse_section,
    parse_sub_item,
    person_name,
    task_number,
)
from bot.storage.models import DeadlineKind, TaskLevel


def test_half_width_keeps_length_and_maps_full_width_ascii() -> None:
    text = "（２）ＡＢ，１２．　"
    assert half_width(text) == "(2)AB,12. "
    assert len(half_width(text)) == len(text)
    assert half_width("、★…“”") == "、★…“”"


@pytest.mark.parametrize(
    ("text", "number", "title", "marks"),
    [
        ("9.★★进一步强化思想政治工作", 9, "进一步强化思想政治工作", 2),
        ("★★9.进一步强化思想政治工作", 9, "进一步强化思想政治工作", 2),
        ("9、★进一步强化思想政治工作", 9, "进一步强化思想政治工作", 1),
        ("９．★★进一步强化思想政治工作", 9, "进一步强化思想政治工作", 2),
        ("  12 . 推进节约型校园建设  ", 12, "推进节约型校园建设", 0),
        ("3 ★★ 深化改革", 3, "深化改革", 2),
        ("7.深化“三全育人”综合改革★", 7, "深化“三全育人”综合改革", 1),
        ("10、★★推进\n一流专业建设", 10, "推进 一流专业建设", 2),
    ],
)
def test_task_headings(text: str, number: int, title: str, marks: int) -> None:
    heading = parse_heading(text)
    assert heading is not None
    assert (heading.number, heading.title, heading.marks) == (number, title, marks)


@pytest.mark.parametrize(
    "text",
    ["进一步强化思想政治工作", "2026年度工作要点", "2.5亿元经费", "(2)召开会议", "九、思政"],
)
def test_not_task_headings(text: str) -> None:
    assert parse_heading(text) is None


@pytest.mark.parametrize(
    ("text", "number", "item"),
    [
        ("(2)召开学校思想政治工作会议", 2, "召开学校思想政治工作会议"),
        ("（2）召开学校思想政治工作会议", 2, "召开学校思想政治工作会议"),
        ("（２）召开学校思想政治工作会议", 2, "召开学校思想政治工作会议"),
        ("( 12 ) 召开会议", 12, "召开会议"),
        ("2)召开会议", 2, "召开会议"),
        ("②召开会议", 2, "召开会议"),
        ("⑳召开会议", 20, "召开会议"),
        ("(二)召开会议", 2, "召开会议"),
        ("（十一）召开会议", 11, "召开会议"),
        ("(2)、召开会议", 2, "召开会议"),
    ],
)
def test_sub_items(text: str, number: int, item: str) -> None:
    sub_item = parse_sub_item(text)
    assert sub_item is not None
    assert (sub_item.number, sub_item.text, sub_item.marks) == (number, item, 0)


def test_sub_item_may_carry_its_own_marks() -> None:
    sub_item = parse_sub_item("(3)★召开会议")
    assert sub_item is not None and sub_item.marks == 1 and sub_item.text == "召开会议"


@pytest.mark.parametrize("text", ["9.召开会议", "召开会议(2)", "(甲)召开会议", "()召开会议"])
def test_not_sub_items(text: str) -> None:
    assert parse_sub_item(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、党的建设", (1, "党的建设")),
        ("十二．后勤保障", (12, "后勤保障")),
        ("九、 其它", (9, "其它")),
    ],
)
def test_sections(text: str, expected: tuple[int, str]) -> None:
    assert parse_section(text) == expected


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("一", "九", "十", "十一", "二十", "九十九")] == [
        1,
        9,
        10,
        11,
        20,
        99,
    ]
    assert [chinese_number(t) for t in ("", "零", "一二", "十十", "二十十")] == [None] * 5


@pytest.mark.parametrize(
    ("text", "number"), [("9", 9), ("9.", 9), ("９", 9), (" 9、", 9), ("九", 9)]
)
def test_number_column(text: str, number: int) -> None:
    assert task_number(text) == number


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("★★", TaskLevel.KEY),
        ("★", TaskLevel.GENERAL),
        ("重点", TaskLevel.KEY),
        ("重点督查督办", TaskLevel.KEY),
        (" 一般 ", TaskLevel.GENERAL),
        ("一般督查督办", TaskLevel.GENERAL),
        ("其它", TaskLevel.OTHER),
        ("其他", TaskLevel.OTHER),
        ("专项", TaskLevel.SPECIAL),
        ("专项督查督办", TaskLevel.SPECIAL),
        ("", None),
    ],
)
def test_level_column(text: str, level: TaskLevel | None) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize("text", ["重要", "☆☆", "★★★", "A"])
def test_unknown_level_column_is_an_error(text: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_level(text)
    assert caught.value.key == "bad_level"


def test_level_of_marks() -> None:
    assert level_of_marks(0, "x") is None
    assert level_of_marks(1, "x") == TaskLevel.GENERAL
    assert level_of_marks(2, "x") == TaskLevel.KEY
    with pytest.raises(CellError):
        level_of_marks(3, "★★★x")


def _month(year: int, month: int, last_day: int) -> tuple[DeadlineKind, date, int]:
    return DeadlineKind.MONTH, date(year, month, last_day), year * 12 + month - 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月", _month(2017, 6, 30)),
        ("6月底", _month(2017, 6, 30)),
        ("6月份", _month(2017, 6, 30)),
        ("6月末", _month(2017, 6, 30)),
        ("6月底前", _month(2017, 6, 30)),
        ("６月", _month(2017, 6, 30)),
        (" 6 月 ", _month(2017, 6, 30)),
        ("2月", _month(2017, 2, 28)),
        ("2017年6月", _month(2017, 6, 30)),
        ("2018年2月", _month(2018, 2, 28)),
        ("2017.6", _month(2017, 6, 30)),
        ("2017-06", _month(2017, 6, 30)),
        ("2017/6", _month(2017, 6, 30)),
        ("年底", _month(2017, 12, 31)),
        ("年末", _month(2017, 12, 31)),
        ("12月底", _month(2017, 12, 31)),
        ("下半年", _month(2017, 12, 31)),
        ("上半年", _month(2017, 6, 30)),
        ("2017-06-30", (DeadlineKind.DATE, date(2017, 6, 30), 2017 * 12 + 5)),
        ("2017/6/30", (DeadlineKind.DATE, date(2017, 6, 30), 2017 * 12 + 5)),
        ("2017.6.15", (DeadlineKind.DATE, date(2017, 6, 15), 2017 * 12 + 5)),
        ("2017年6月15日", (DeadlineKind.DATE, date(2017, 6, 15), 2017 * 12 + 5)),
        ("6月15日", (DeadlineKind.DATE, date(2017, 6, 15), 2017 * 12 + 5)),
        ("全年", (DeadlineKind.YEAR, date(2017, 12, 31), 2017 * 12 + 11)),
        ("年内", (DeadlineKind.YEAR, date(2017, 12, 31), 2017 * 12 + 11)),
        ("长期", (DeadlineKind.LONG_TERM, None, None)),
        ("长期坚持", (DeadlineKind.LONG_TERM, None, None)),
    ],
)
def test_deadlines(text: str, expected: tuple[DeadlineKind, date | None, int | None]) -> None:
    deadline = parse_deadline(text, 2017)
    assert deadline is not None
    assert (deadline.kind, deadline.day, deadline.month) == expected
    assert deadline.text == " ".join(text.split())


def test_a_month_deadline_is_read_in_the_import_year() -> None:
    deadline = parse_deadline("6月", 2026)
    assert deadline is not None and deadline.day == date(2026, 6, 30)
    assert deadline.month == 2026 * 12 + 5


def test_blank_deadline_is_none() -> None:
    assert parse_deadline("  ", 2017) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("下月", "bad_deadline"),
        ("尽快", "bad_deadline"),
        ("3月-6月", "bad_deadline"),
        ("6", "bad_deadline"),
        ("13月", "bad_month"),
        ("2017.0", "bad_month"),
        ("2017-02-30", "bad_date"),
        ("2016年12月", "past_deadline"),
        ("2016-12-31", "past_deadline"),
    ],
)
def test_bad_deadlines(text: str, key: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_deadline(text, 2017)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宣传部", [("宣传部", True)]),
        ("教务处、研究生院", [("教务处", True), ("研究生院", False)]),
        ("教务处，研究生院,财务处", [("教务处", True), ("研究生院", False), ("财务处", False)]),
        ("教务处；研究生院;财务处", [("教务处", True), ("研究生院", False), ("财务处", False)]),
        (" 教务处 、 研究生院 ", [("教务处", True), ("研究生院", False)]),
        ("教务处\n研究生院", [("教务处", True), ("研究生院", False)]),
        ("教务处、、研究生院、", [("教务处", True), ("研究生院", False)]),
        ("教务处、教务处", [("教务处", True)]),
        ("宣传部（牵头）", [("宣传部", True)]),
        ("学生处、宣传部（牵头）", [("宣传部", True), ("学生处", False)]),
        (
            "宣传部(牵头)、学生处（牵头）、团委",
            [("宣传部", True), ("学生处", True), ("团委", False)],
        ),
        ("宣传部 (牵头单位)，团委（配合）", [("宣传部", True), ("团委", False)]),
        ("党委教师工作部/人事处", [("党委教师工作部/人事处", True)]),
        ("国际合作与交流处(港澳台办公室)", [("国际合作与交流处（港澳台办公室）", True)]),
        ("", []),
    ],
)
def test_departments(text: str, expected: list[tuple[str, bool]]) -> None:
    assert parse_departments(text) == [DepartmentRef(name, lead) for name, lead in expected]


def test_names_lose_padding() -> None:
    assert person_name(" 刘　洋 ") == "刘洋"
    assert department_name(" 宣传部 ") == "宣传部"
