"""Fixtures of the import tests: a migrated database on SQLite and on PostgreSQL, and
writers of small spreadsheets the way offices lay them out."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A freshly migrated database; each test using it runs on SQLite and on PostgreSQL."""
    return engine


Rows = Sequence[Sequence[Any]]


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Writes rows (title rows, header, data) to an .xlsx; `merges` are ranges like C3:C5."""

    def write(rows: Rows, *, merges: Sequence[str] = (), name: str = "table.xlsx") -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(list(row))
        for cells in merges:
            sheet.merge_cells(cells)
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    def write(
        rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",", name: str = "table.csv"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as stream:
            csv.writer(stream, delimiter=delimiter).writerows(rows)
        return path

    return write
