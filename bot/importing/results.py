"""What an import tells its caller: a report of what changed, or the rows that stopped it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.words import say


@dataclass(frozen=True)
class RowError:
    """One problem, with its 1-based spreadsheet row (None for the file as a whole).

    `message` is the whole sentence a user reads, row included (`第5行：…`).
    """

    row: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def row_error(row: int | None, key: str, **context: Any) -> RowError:
    """The phrase `import.<key>`, prefixed with its row when there is one."""
    text = say(f"import.{key}", **context)
    if row is None:
        return RowError(None, text)
    return RowError(row, say("import.at_row", row=row, text=text))


class ImportRejected(Exception):
    """The file was refused and nothing was written; `errors` are in row order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda error: (error.row or 0, error.message))
        super().__init__("\n".join(error.message for error in self.errors))


@dataclass
class ImportReport:
    """What an import changed.

    `created`, `updated` and `unchanged` count reportable task units (tasks import) or
    people (people import); `tasks` counts numbered tasks; `roles` counts role assignments
    the file gives; `absent` names what the database has and the file no longer lists
    (left in place, since reports may hang on it).
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    tasks: int = 0
    roles: int = 0
    departments_created: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = self.total
        return data
