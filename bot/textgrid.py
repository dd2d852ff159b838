"""Plain-text tables that line up in a terminal even with Chinese (double-width) text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

MAX_CELL = 40


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, limit: int = MAX_CELL) -> str:
    """Cut text to `limit` display columns, ending with an ellipsis when cut."""
    if display_width(text) <= limit:
        return text
    out, width = "", 0
    for ch in text:
        width += display_width(ch)
        if width > limit - 1:
            return out + "…"
        out += ch
    return out


def grid(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell, two spaces apart."""
    cells = [[clip("" if value is None else str(value)) for value in row] for row in rows]
    widths = [display_width(header) for header in headers]
    for row in cells:
        widths = [max(w, display_width(value)) for w, value in zip(widths, row, strict=True)]
    lines = [_line(headers, widths), _line(["-" * w for w in widths], widths)]
    lines.extend(_line(row, widths) for row in cells)
    return "\n".join(lines)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    padded = (
        value + " " * (w - display_width(value)) for value, w in zip(values, widths, strict=True)
    )
    return "  ".join(padded).rstrip()
