"""Reading an office's spreadsheet (.xlsx or .csv) into its header and rows of text, with
merged cells filled in and the header found below any title rows.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from bot.importing.cells import squeeze
from bot.importing.results import ImportRejected, row_error

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 20
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DECIMALS = re.compile(r"^0\.(0+)$")

Grid = Iterable[tuple[int, list[str]]]


@dataclass(frozen=True)
class SheetRow:
    """A data row: `values` by canonical column name, `extra` by the sheet's own header."""

    number: int
    values: dict[str, str]
    extra: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Sheet:
    header_row: int
    columns: frozenset[str]
    rows: list[SheetRow]


def read_sheet(path: Path, *, aliases: Mapping[str, str], required: Collection[str]) -> Sheet:
    """The table in `path`; `aliases` maps squeezed header spellings to canonical names.

    Raises ImportRejected when the file cannot be read or its header lacks a required column.
    """
    grid = list(_grid(Path(path)))
    header_row, header = _find_header(grid, aliases, required)
    columns = _columns(header, aliases)
    rows = [_row(number, cells, columns) for number, cells in grid if number > header_row]
    rows = [row for row in rows if any(row.values.values()) or row.extra]
    logger.info("read %d rows below the header in row %d of %s", len(rows), header_row, path)
    return Sheet(header_row, frozenset(name for name in columns if name), rows)


# Finding the header


def _find_header(
    grid: list[tuple[int, list[str]]], aliases: Mapping[str, str], required: Collection[str]
) -> tuple[int, list[str]]:
    """The first row naming every required column, searched among the first rows."""
    best: tuple[int, int, list[str]] | None = None
    for number, cells in grid[:HEADER_SEARCH_ROWS]:
        known = {aliases.get(squeeze(cell)) for cell in cells} - {None}
        if known >= set(required):
            return number, cells
        if known and (best is None or len(known) > best[0]):
            best = (len(known), number, cells)
    if best is None:
        raise ImportRejected(
            [row_error(None, "no_header", columns=list(required), rows=HEADER_SEARCH_ROWS)]
        )
    known = {aliases.get(squeeze(cell)) for cell in best[2]}
    missing = [name for name in required if name not in known]
    raise ImportRejected([row_error(best[1], "missing_columns", columns=missing)])


def _columns(header: list[str], aliases: Mapping[str, str]) -> list[str]:
    """Per position: the canonical name, `?` + the header text for an extra column, or ''."""
    columns: list[str] = []
    for cell in header:
        name = aliases.get(squeeze(cell))
        if name is None and cell:
            name = "?" + " ".join(cell.split())
        columns.append(name if name and name not in columns else "")
    return columns


def _row(number: int, cells: list[str], columns: list[str]) -> SheetRow:
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for name, cell in zip(columns, cells, strict=False):
        if name.startswith("?"):
            if cell:
                extra[name[1:]] = cell
        elif name:
            values[name] = cell
    return SheetRow(number, values, extra)


# Files to grids of text


def _grid(path: Path) -> Grid:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _xlsx_grid(path)
    if suffix in {".csv", ".txt"}:
        return _csv_grid(path)
    if suffix in {".xls", ".et"}:
        raise ImportRejected([row_error(None, "legacy_excel", suffix=suffix)])
    raise ImportRejected([row_error(None, "unsupported_file", suffix=suffix or path.name)])


def _xlsx_grid(path: Path) -> Grid:
    try:
        # Workbooks saved by Excel or WPS often carry extensions openpyxl warns about and
        # ignores (data validation, conditional formats); they do not affect the values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(path, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError) as error:
        logger.warning("cannot open %s as a workbook: %s", path, error)
        raise ImportRejected([row_error(None, "bad_workbook", name=path.name)]) from error
    try:
        return list(_worksheet_grid(book.worksheets[0]))
    finally:
        book.close()


def _worksheet_grid(sheet: Worksheet) -> Iterator[tuple[int, list[str]]]:
    merged = _merged_values(sheet)
    for cells in sheet.iter_rows():
        number = cells[0].row if cells else 0
        texts = []
        for cell in cells:
            key = (cell.row, cell.column)
            texts.append(merged[key] if key in merged else _cell_text(cell))
        yield number, texts


def _merged_values(sheet: Worksheet) -> dict[tuple[int, int], str]:
    """Every cell of a merged range mapped to the text of its top-left cell."""
    filled: dict[tuple[int, int], str] = {}
    for merged in sheet.merged_cells.ranges:
        text = _cell_text(sheet.cell(merged.min_row, merged.min_col))
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                filled[(row, column)] = text
    return filled


def _cell_text(cell: Any) -> str:
    value = cell.value
    # Looking up a cell's format is slow; only fractional numbers need it.
    return _text(value, cell.number_format if isinstance(value, float) else "General")


def _text(value: Any, number_format: str = "General") -> str:
    """A cell's value as the text the office typed, as far as the file lets us tell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return _number_text(value, number_format)
    return str(value).strip()


def _number_text(value: float, number_format: str) -> str:
    # A cell typed `2026.10` is stored as 2026.1; its display format keeps the zero.
    decimals = _DECIMALS.match(number_format or "")
    if decimals:
        return f"{value:.{len(decimals.group(1))}f}"
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _csv_grid(path: Path) -> Grid:
    text = _decode(path)
    # Excel's "Unicode text" is tab-separated; title rows above the header have no separators.
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(number, [cell.strip() for cell in row]) for number, row in enumerate(reader, 1)]


def _decode(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 as Chinese Excel saves."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([row_error(None, "bad_encoding", name=path.name)])
