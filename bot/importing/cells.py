"""Reading single spreadsheet cells as offices write them: numbers, sub-items, levels,
deadlines, departments and names, each parsed from its many spellings.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.periods import month_index
from bot.storage.models import DeadlineKind, TaskLevel

# Full-width ASCII (！ to ～) and the ideographic space map one-to-one onto ASCII, so the
# result has the same length as the input and match positions can slice the original text.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")

STAR = "★"
_CIRCLED = {chr(0x2460 + n): n + 1 for n in range(20)}  # ① to ⑳
_DIGITS = "一二三四五六七八九"
_NUMERAL = rf"[{_DIGITS}十]{{1,3}}"

_TASK_HEAD = re.compile(r"\s*★*\s*(\d{1,5})\s*(?:[.、](?!\d)|\s)")
_SECTION = re.compile(rf"\s*({_NUMERAL})\s*[、.]\s*(\S.*)", re.DOTALL)
_SUB_ITEM = (
    re.compile(r"\s*★*\s*\(\s*(\d{1,3})\s*\)"),
    re.compile(rf"\s*★*\s*\(\s*({_NUMERAL})\s*\)"),
    re.compile(r"\s*★*\s*(\d{1,3})\s*\)"),
    re.compile(r"\s*★*\s*([①-⑳])"),
)

_LEVELS = {
    "★★": TaskLevel.KEY,
    "重点": TaskLevel.KEY,
    "重点督办": TaskLevel.KEY,
    "重点督查督办": TaskLevel.KEY,
    "★": TaskLevel.GENERAL,
    "一般": TaskLevel.GENERAL,
    "一般督办": TaskLevel.GENERAL,
    "一般督查督办": TaskLevel.GENERAL,
    "其它": TaskLevel.OTHER,
    "其他": TaskLevel.OTHER,
    "其它重点工作": TaskLevel.OTHER,
    "其他重点工作": TaskLevel.OTHER,
    "专项": TaskLevel.SPECIAL,
    "专项督办": TaskLevel.SPECIAL,
    "专项督查督办": TaskLevel.SPECIAL,
} | {level.value: level for level in TaskLevel}

_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:份|底前?|末前?)?")
_NUMERIC_MONTH = re.compile(r"(\d{4})[.\-/](\d{1,2})")
_NUMERIC_DATE = re.compile(r"(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})")
_WRITTEN_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号](?:前)?")
_YEAR_WORDS = {"全年", "年内"}
_YEAR_END_WORDS = {"年底", "年末", "年底前", "年末前", "下半年"}
_HALF_YEAR_WORDS = {"上半年", "年中"}

_DEPARTMENT_SPLIT = re.compile(r"[、,;\s]+")
_MARKER = re.compile(r"\((牵头|牵头部门|牵头单位|配合|配合部门|配合单位|协办|参与)\)$")
_NO_DEPARTMENT_FOR_PEOPLE = {"校领导", "校级领导", "学校领导"}


class CellError(ValueError):
    """A cell that cannot be read; `key` names its phrase in templates/import.j2."""

    def __init__(self, key: str, **context: Any) -> None:
        super().__init__(key)
        self.key = key
        self.context = context


def half_width(text: str) -> str:
    """Full-width letters, digits, punctuation and spaces as ASCII, same length."""
    # Most cells have nothing to translate, and the search is far cheaper than translate.
    return text.translate(_HALF_WIDTH) if _FULL_WIDTH.search(text) else text


def squeeze(text: str) -> str:
    """Half-width with every kind of whitespace removed: the form codes are compared in."""
    return "".join(half_width(text).split())


def chinese_number(text: str) -> int | None:
    """一 to 九十九 as an int, None for anything else."""
    if not text or any(ch not in _DIGITS + "十" for ch in text) or text.count("十") > 1:
        return None
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _DIGITS.index(text) + 1 if len(text) == 1 else None
    high = 1 if tens == "" else (_DIGITS.index(tens) + 1 if len(tens) == 1 else None)
    low = 0 if units == "" else (_DIGITS.index(units) + 1 if len(units) == 1 else None)
    return None if high is None or low is None else high * 10 + low


# Numbers, headings and sub-items


@dataclass(frozen=True)
class Heading:
    """A task row: `9.★★进一步强化思想政治工作` is number 9 with two marks."""

    number: int
    title: str
    marks: int


@dataclass(frozen=True)
class SubItem:
    """A sub-item row: `(2)召开学校思想政治工作会议…` is item 2."""

    number: int
    text: str
    marks: int


def _strip_leading(text: str) -> str:
    return text.lstrip(" .、:：,，")


def _rest(original: str, end: int) -> tuple[str, int]:
    """The text after a matched prefix, without marks, separators or line breaks."""
    rest = original[end:].replace(STAR, "")
    return _strip_leading(" ".join(rest.split())), original.count(STAR)


def strip_marks(text: str) -> tuple[str, int]:
    """Text without its ★ marks and line breaks, and how many marks it had."""
    return _rest(text, 0)


def parse_heading(text: str) -> Heading | None:
    """`9.`, `9、`, `９．` or `★★9.` followed by the title; None when there is no number."""
    match = _TASK_HEAD.match(half_width(text))
    if match is None:
        return None
    title, marks = _rest(text, match.end())
    return Heading(int(match.group(1)), title, marks)


def parse_section(text: str) -> tuple[int, str] | None:
    """A heading numbered in Chinese, `一、党的建设`: its number and title."""
    stripped = text.strip()
    match = _SECTION.fullmatch(half_width(stripped))
    number = chinese_number(match.group(1)) if match else None
    if match is None or number is None:
        return None
    return number, " ".join(stripped[match.start(2) :].split())


def parse_sub_item(text: str) -> SubItem | None:
    """`(2)`, `（2）`, `2)`, `(二)` or `②` followed by the text; None otherwise."""
    normal = half_width(text)
    for pattern in _SUB_ITEM:
        match = pattern.match(normal)
        if match is None:
            continue
        number = _item_number(match.group(1))
        if number:
            rest, marks = _rest(text, match.end())
            return SubItem(number, rest, marks)
    return None


def _item_number(token: str) -> int | None:
    if token in _CIRCLED:  # before isdigit(), which is true for ② as well
        return _CIRCLED[token]
    return int(token) if token.isdigit() else chinese_number(token)


def task_number(text: str) -> int | None:
    """A bare number as an `编号` column holds it: `9`, `9.`, `９`, `九`."""
    code = squeeze(text).rstrip(".、")
    if code.isdigit():
        return int(code)
    return chinese_number(code)


# Levels


def level_of_marks(marks: int, text: str) -> TaskLevel | None:
    """★★ is key supervision (R02), ★ general (R03); no mark says nothing."""
    if marks == 0:
        return None
    if marks > 2:
        raise CellError("bad_marks", value=text.strip())
    return TaskLevel.KEY if marks == 2 else TaskLevel.GENERAL


def parse_level(text: str) -> TaskLevel | None:
    """A `督办级别` cell; blank is None, an unknown word is an error."""
    code = squeeze(text)
    if not code:
        return None
    level = _LEVELS.get(code) or _LEVELS.get(code.lower())
    if level is None:
        raise CellError("bad_level", value=text.strip())
    return level


# Deadlines


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    text: str
    day: date | None = None
    month: int | None = None  # month index, year * 12 + month - 1


def month_end(year: int, month: int, text: str) -> Deadline:
    if not 1 <= month <= 12:
        raise CellError("bad_month", value=text)
    last = calendar.monthrange(year, month)[1]
    return Deadline(DeadlineKind.MONTH, text, date(year, month, last), month_index(year, month))


def _dated(year: int, month: int, day: int, text: str) -> Deadline:
    try:
        when = date(year, month, day)
    except ValueError as error:
        raise CellError("bad_date", value=text) from error
    return Deadline(DeadlineKind.DATE, text, when, month_index(year, month))


def _from_words(code: str, text: str, year: int) -> Deadline | None:
    if code in _YEAR_WORDS:
        return Deadline(DeadlineKind.YEAR, text, date(year, 12, 31), month_index(year, 12))
    if code.startswith("长期"):
        return Deadline(DeadlineKind.LONG_TERM, text)
    if code in _YEAR_END_WORDS:
        return month_end(year, 12, text)
    if code in _HALF_YEAR_WORDS:
        return month_end(year, 6, text)
    return None


def _from_numbers(code: str, text: str, year: int) -> Deadline | None:
    for pattern in (_NUMERIC_DATE, _WRITTEN_DATE):
        match = pattern.fullmatch(code)
        if match:
            given, month, day = match.groups()
            return _dated(int(given or year), int(month), int(day), text)
    for pattern in (_NUMERIC_MONTH, _MONTH):
        match = pattern.fullmatch(code)
        if match:
            given, month = match.groups()
            return month_end(int(given or year), int(month), text)
    return None


def parse_deadline(text: str, year: int) -> Deadline | None:
    """A `完成时限` cell read relative to the table's year; blank is None.

    `6月` (also 份/底/末, 底前), `2026年6月`, `2026.6`, `2026-06`, `2026/6` are months;
    `2026-06-30`, `2026/6/30`, `2026.6.30`, `6月30日` are dates; `年底`, `年末`, `下半年`
    are December, `上半年` June; `全年`, `年内` the whole year; `长期…` no deadline.
    """
    shown = " ".join(text.split())
    code = squeeze(text)
    if not code:
        return None
    deadline = _from_words(code, shown, year) or _from_numbers(code, shown, year)
    if deadline is None:
        raise CellError("bad_deadline", value=shown)
    if deadline.day is not None and deadline.day.year < year:
        raise CellError("past_deadline", value=shown, year=year)
    return deadline


# Departments and names


@dataclass(frozen=True)
class DepartmentRef:
    name: str
    is_lead: bool


def department_name(text: str) -> str:
    """One canonical spelling: no whitespace, Chinese (full-width) brackets."""
    return squeeze(text).replace("(", "（").replace(")", "）")


def _department_part(part: str) -> tuple[str, str | None]:
    """A name and its marker (`牵头`, `配合`, ...), if the cell gave one."""
    match = _MARKER.search(part)
    if match is None:
        return department_name(part), None
    return department_name(part[: match.start()]), match.group(1)


def parse_departments(text: str) -> list[DepartmentRef]:
    """The departments of a cell, lead first.

    Without markers the first named department leads. With `（牵头）` markers the marked
    ones lead and come first; the order is otherwise kept and repeats are dropped.
    """
    code = re.sub(r"\s+(?=\()", "", half_width(text))
    parts = [_department_part(part) for part in _DEPARTMENT_SPLIT.split(code) if part]
    parts = [(name, marker) for name, marker in parts if name]
    marked = any(marker is not None and marker.startswith("牵头") for _, marker in parts)
    refs: dict[str, DepartmentRef] = {}
    for index, (name, marker) in enumerate(parts):
        lead = marker is not None and marker.startswith("牵头") if marked else index == 0
        refs.setdefault(name, DepartmentRef(name, lead))
    return sorted(refs.values(), key=lambda ref: not ref.is_lead)


def person_name(text: str) -> str:
    """A person's name without the spaces offices pad two-character names with."""
    return "".join(text.split())


def people_department(text: str) -> str:
    """The `部门` of a people row; `校领导` and the like mean no department."""
    name = department_name(text)
    return "" if name in _NO_DEPARTMENT_FOR_PEOPLE else name
