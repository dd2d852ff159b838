"""Reading what users type on a phone: numbered choices in half- or full-width digits, and a
command word with its number, spaced or not (`汇报 2`, `汇报2`, `汇报２`)."""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"^第?(\d{1,4})[.、。)项]?$")
_WORD_AND_NUMBER = re.compile(r"^(\D+?)\s*(\d{1,4})?$")


def normalized(text: str) -> str:
    """Full-width digits, letters and punctuation folded to their ordinary forms."""
    return unicodedata.normalize("NFKC", text).strip()


def read_number(text: str) -> int | None:
    """`2`, `２`, `2.`, `第2项` -> 2; anything else -> None."""
    match = _NUMBER.match(normalized(text).replace(" ", ""))
    return int(match.group(1)) if match else None


def read_choice(text: str, count: int) -> int | None:
    """A number between 1 and `count`, or None."""
    number = read_number(text)
    return number if number is not None and 1 <= number <= count else None


def command_number(text: str, word: str) -> int | None:
    """The number after the command `word` (`汇报 2` -> 2); None when there is none.

    Whatever else follows the word is not a number and counts as none.
    """
    rest = normalized(text)
    if rest.startswith(word):
        rest = rest[len(word) :]
    return read_number(rest) if rest.strip() else None


def glued_command(text: str, words: tuple[str, ...]) -> str | None:
    """The command word of `汇报2` (no space: the router splits at spaces) if one of `words`."""
    match = _WORD_AND_NUMBER.match(normalized(text))
    if match is None or match.group(2) is None:
        return None
    return match.group(1) if match.group(1) in words else None


def is_command(text: str) -> bool:
    """A bare command word, maybe with a number: a user leaving a step for another command.

    Steps that expect a choice let such texts through to the command; free text that merely
    starts with a command word stays an answer.
    """
    from bot.handlers import build_router  # the composed router knows every command word

    match = _WORD_AND_NUMBER.match(normalized(text))
    return match is not None and match.group(1).strip() in build_router().commands
