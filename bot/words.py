"""Every word a user reads is a jinja2 template under `templates/`; this renders them.

Long texts are whole templates (`render`); short phrases are macros collected in one
template per area (`say("import.row_missing_title", row=3)` calls the macro
`row_missing_title` in `templates/import.j2`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.textgrid import grid

TEMPLATES = Path(os.environ.get("DUBAN_TEMPLATES", Path(__file__).parent.parent / "templates"))


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=select_autoescape(["html", "html.j2"]),
    )
    env.globals["grid"] = grid
    return env


def render(name: str, /, **context: Any) -> str:
    """Render a whole template, e.g. `render("chat/help.txt.j2", roles=...)`."""
    return environment().get_template(name).render(**context).strip()


def say(key: str, /, **context: Any) -> str:
    """Call the phrase macro `area.name`, defined in `templates/area.j2`."""
    area, _, name = key.rpartition(".")
    module = environment().get_template(f"{area.replace('.', '/')}.j2").module
    macro = getattr(module, name, None)
    if macro is None:
        raise KeyError(f"no phrase {name!r} in templates/{area}.j2")
    return str(macro(**context)).strip()
