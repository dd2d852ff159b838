"""Turning the rows of a task table into reportable units (R01), collecting every problem
with its row instead of stopping at the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.importing.cells import (
    CellError,
    Deadline,
    DepartmentRef,
    Heading,
    SubItem,
    level_of_marks,
    parse_deadline,
    parse_departments,
    parse_heading,
    parse_level,
    parse_section,
    parse_sub_item,
    person_name,
    squeeze,
    strip_marks,
    task_number,
)
from bot.importing.results import RowError, row_error
from bot.importing.sheet import Sheet, SheetRow
from bot.storage.models import TaskLevel

T = TypeVar("T")

NUMBER = "编号"
CONTENT = "工作内容"
LEVEL = "督办级别"
DEPARTMENTS = "实施/牵头部门"
DEADLINE = "完成时限"
LEADER = "分管校领导"
SECTION = "板块"  # key in Task.extra for the Chinese-numbered heading a task sits under

_ALIASES = {
    NUMBER: ("编号", "序号", "任务编号"),
    CONTENT: ("工作内容", "工作任务", "任务内容", "重点工作", "目标任务"),
    LEVEL: ("督办级别", "级别", "督查督办级别", "督办类别"),
    DEPARTMENTS: (
        "实施/牵头部门",
        "实施/牵头单位",
        "牵头部门",
        "实施部门",
        "责任部门",
        "责任单位",
        "牵头单位",
    ),
    DEADLINE: ("完成时限", "要求完成时限", "完成时间", "时间节点"),
    LEADER: ("分管校领导", "分管领导", "责任校领导", "校领导"),
}
TASK_ALIASES = {spelling: name for name, spellings in _ALIASES.items() for spelling in spellings}
REQUIRED = (CONTENT, DEPARTMENTS, DEADLINE)

TITLE_LIMIT = 500
ITEM_LIMIT = 1000
NAME_LIMIT = 64
DEPARTMENT_LIMIT = 100
DEADLINE_LIMIT = 64
NEEDS_DEADLINE = {TaskLevel.KEY, TaskLevel.GENERAL}
_MARKS_SHOWN = {TaskLevel.KEY: "★★", TaskLevel.GENERAL: "★"}
_INHERITED = frozenset({"departments", "deadline", "leader", "level"})
_NOTE = re.compile(r"(注|说明|备注|填表说明)\d*:")


@dataclass(frozen=True)
class Section:
    title: str


@dataclass(frozen=True)
class Fields:
    """What a row says about departments, deadline, leader and level, or inherits."""

    departments: tuple[DepartmentRef, ...] = ()
    deadline: Deadline | None = None
    leader: str | None = None
    level: TaskLevel | None = None
    broken: frozenset[str] = frozenset()  # fields whose cell was wrong (already reported)

    def below(self, above: Fields) -> Fields:
        """Blank cells repeat the row above within the same task."""
        inherited = _INHERITED - self._given()
        return Fields(
            self.departments or above.departments,
            self.deadline or above.deadline,
            self.leader or above.leader,
            self.level or above.level,
            self.broken | (above.broken & inherited),
        )

    def _given(self) -> set[str]:
        return {name for name in _INHERITED if getattr(self, name)}


@dataclass(frozen=True)
class Unit:
    """One future Task row: a task without sub-items (item_no 0), or one sub-item."""

    row: int
    number: int
    item_no: int
    title: str
    item: str | None
    level: TaskLevel
    fields: Fields
    extra: str | None


@dataclass
class OpenTask:
    row: int
    number: int
    title: str
    fields: Fields
    extra: dict[str, str]
    accepted: bool
    items: dict[int, int] = field(default_factory=dict)  # item_no -> row
    last: Fields = field(default_factory=Fields)


class TaskRows:
    """Reads a task table row by row; afterwards `units`, `errors` and `warnings`."""

    def __init__(self, sheet: Sheet, year: int) -> None:
        self.year = year
        self.units: list[Unit] = []
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.numbers: dict[int, int] = {}  # task number -> row
        self._current: OpenTask | None = None
        self._section: str | None = None
        # Where tasks carry Arabic numbers, Chinese-numbered rows are theme headings.
        self._arabic = any(_has_arabic_number(row) for row in sheet.rows)
        for row in sheet.rows:
            self._read(row)
        self._close()

    # Dispatch

    def _read(self, row: SheetRow) -> None:
        content, code = row.get(CONTENT), row.get(NUMBER)
        if not content and not code:
            if any(row.values.values()):
                self._error(row.number, "no_content")
            return
        if _NOTE.match(squeeze(content)):
            return
        kind, readable = self._attempt(row.number, lambda: self._kind(content, code))
        if isinstance(kind, SubItem):
            self._add_item(row, kind)
        elif isinstance(kind, Heading):
            self._start_task(row, kind)
        elif isinstance(kind, Section):
            self._close()
            self._section = kind.title
        elif kind is None and readable:
            self._error(row.number, "no_number", text=_shown(content))

    def _kind(self, content: str, code: str) -> Heading | SubItem | Section | None:
        item = parse_sub_item(content)
        coded = parse_sub_item(code) if item is None and code else None
        if coded is not None:
            text, marks = strip_marks(content)
            item = SubItem(coded.number, text, marks)
        if item is not None:
            return item
        number = task_number(code) if code else None
        if code and number is None:
            raise CellError("bad_code", code=code)
        if number is not None and not squeeze(code).rstrip(".、").isdigit() and self._arabic:
            return Section(strip_marks(content)[0])
        return self._heading(content, code, number)

    def _heading(self, content: str, code: str, number: int | None) -> Heading | Section | None:
        heading = parse_heading(content)
        if heading is not None:
            if number is not None and number != heading.number:
                raise CellError("number_mismatch", code=code, number=heading.number)
            return heading
        if number is not None:
            title, marks = strip_marks(content)
            return Heading(number, title, marks)
        section = parse_section(content)
        if section is None:
            return None
        title, marks = strip_marks(section[1])
        return Section(title) if self._arabic else Heading(section[0], title, marks)

    # Tasks and sub-items

    def _start_task(self, row: SheetRow, heading: Heading) -> None:
        self._close()
        fields = self._fields(row, heading.marks)
        first = self.numbers.get(heading.number)
        accepted = first is None
        if first is not None:
            self._error(row.number, "duplicate_number", number=heading.number, first_row=first)
        else:
            self.numbers[heading.number] = row.number
        if not heading.title:
            accepted = self._error(row.number, "no_title", number=heading.number)
        elif len(heading.title) > TITLE_LIMIT:
            accepted = self._error(row.number, "too_long", what="工作内容", limit=TITLE_LIMIT)
        extra = ({SECTION: self._section} if self._section else {}) | row.extra
        self._current = OpenTask(
            row.number, heading.number, heading.title, fields, extra, accepted, last=fields
        )

    def _add_item(self, row: SheetRow, item: SubItem) -> None:
        task = self._current
        if task is None:
            self._error(row.number, "item_before_task", text=_shown(item.text))
            return
        fields = self._fields(row, item.marks).below(task.last)
        task.last = fields
        first = task.items.setdefault(item.number, row.number)
        if first != row.number:
            self._error(
                row.number,
                "duplicate_item",
                number=task.number,
                item_no=item.number,
                first_row=first,
            )
            return
        if not item.text:
            self._error(row.number, "no_item_text", number=task.number, item_no=item.number)
        elif len(item.text) > ITEM_LIMIT:
            self._error(row.number, "too_long", what="分项内容", limit=ITEM_LIMIT)
        elif task.accepted:
            self._emit(row.number, task, item.number, item.text, fields, task.extra | row.extra)

    def _close(self) -> None:
        """A task without sub-items is itself the reportable unit."""
        task, self._current = self._current, None
        if task is not None and task.accepted and not task.items:
            self._emit(task.row, task, 0, None, task.fields, task.extra)

    def _emit(
        self,
        row: int,
        task: OpenTask,
        item_no: int,
        item: str | None,
        fields: Fields,
        extra: dict[str, str],
    ) -> None:
        if not self._complete(row, fields) or fields.level is None:
            return
        text = json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None
        unit = Unit(row, task.number, item_no, task.title, item, fields.level, fields, text)
        self.units.append(unit)

    def _complete(self, row: int, fields: Fields) -> bool:
        """Whether the unit has what reporting needs; reports what it lacks."""
        complete = not fields.broken
        if fields.level is None and "level" not in fields.broken:
            complete = self._error(row, "no_level")
        if not fields.departments and "departments" not in fields.broken:
            complete = self._error(row, "no_department")
        needs_deadline = fields.level in NEEDS_DEADLINE
        if needs_deadline and fields.deadline is None and "deadline" not in fields.broken:
            complete = self._error(row, "no_deadline")
        if fields.leader is None and "leader" not in fields.broken:
            self.warnings.append(row_error(row, "no_leader"))
        return complete

    # Cells

    def _fields(self, row: SheetRow, marks: int) -> Fields:
        """The row's own cells, each checked on its own so that all problems show."""
        parsers: dict[str, Callable[[], Any]] = {
            "level": lambda: _level(row, marks),
            "deadline": lambda: _deadline(row.get(DEADLINE), self.year),
            "departments": lambda: tuple(_departments(row.get(DEPARTMENTS))),
            "leader": lambda: _leader(row.get(LEADER)),
        }
        values: dict[str, Any] = {}
        broken: set[str] = set()
        for name, parse in parsers.items():
            values[name], readable = self._attempt(row.number, parse)
            if not readable:
                broken.add(name)
        return Fields(
            values["departments"] or (),
            values["deadline"],
            values["leader"],
            values["level"],
            frozenset(broken),
        )

    def _attempt(self, row: int, parse: Callable[[], T]) -> tuple[T | None, bool]:
        """The parsed value and True, or None and False with the error recorded."""
        try:
            return parse(), True
        except CellError as error:
            self.errors.append(row_error(row, error.key, **error.context))
            return None, False

    def _error(self, row: int, key: str, **context: Any) -> bool:
        """Records an error; returns False so callers can note that a row was refused."""
        self.errors.append(row_error(row, key, **context))
        return False


def _has_arabic_number(row: SheetRow) -> bool:
    code = squeeze(row.get(NUMBER)).rstrip(".、")
    return code.isdigit() or parse_heading(row.get(CONTENT)) is not None


def _shown(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _level(row: SheetRow, marks: int) -> TaskLevel | None:
    """The level of the ★ marks and the `督办级别` column, which must agree when both given."""
    by_marks = level_of_marks(marks, row.get(CONTENT))
    by_column = parse_level(row.get(LEVEL))
    if by_marks and by_column and by_marks != by_column:
        raise CellError(
            "level_conflict", column=row.get(LEVEL).strip(), marks=_MARKS_SHOWN[by_marks]
        )
    return by_column or by_marks


def _deadline(text: str, year: int) -> Deadline | None:
    deadline = parse_deadline(text, year)
    if deadline is not None and len(deadline.text) > DEADLINE_LIMIT:
        raise CellError("too_long", what="完成时限", limit=DEADLINE_LIMIT)
    return deadline


def _departments(text: str) -> list[DepartmentRef]:
    refs = parse_departments(text)
    for ref in refs:
        if len(ref.name) > DEPARTMENT_LIMIT:
            raise CellError("department_too_long", name=_shown(ref.name))
    return refs


def _leader(text: str) -> str | None:
    name = person_name(text)
    if len(name) > NAME_LIMIT:
        raise CellError("too_long", what="分管校领导", limit=NAME_LIMIT)
    return name or None
