"""Keeping each chat message within WeCom's 2048-byte limit, which cuts longer texts silently.

A report preview carries up to a few hundred characters of the user's own text (3 bytes each
in UTF-8), so long replies are split at line breaks into several messages.
"""

from __future__ import annotations

from bot.handlers.context import Context

MAX_MESSAGE_BYTES = 2048


def split_message(text: str, limit: int = MAX_MESSAGE_BYTES) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        *full, current = _hard_split(line, limit)
        pieces.extend(full)
    if current or not pieces:
        pieces.append(current)
    return pieces


def reply_long(ctx: Context, text: str) -> None:
    for piece in split_message(text):
        ctx.reply(piece)


def _hard_split(line: str, limit: int) -> list[str]:
    """A single line longer than `limit`, cut between characters."""
    pieces = [""]
    for char in line:
        if _size(pieces[-1] + char) > limit:
            pieces.append("")
        pieces[-1] += char
    return pieces


def _size(text: str) -> int:
    return len(text.encode())
