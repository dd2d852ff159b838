"""Routing an event to the handler that owns it: the escape word, the current step, a command.

A handler returns True when it handled the event. Routers are composed in one visible place,
`bot.handlers.build_router`, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.handlers.context import Context
from bot.wecom.events import EventKind

Handler = Callable[[Context], bool | None]


@dataclass
class Router:
    """Handlers by command word, by conversation state, and by event kind."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    states: dict[str, Handler] = field(default_factory=dict)
    events: dict[EventKind, list[Handler]] = field(default_factory=dict)
    fallbacks: list[Handler] = field(default_factory=list)

    def command(self, *words: str) -> Callable[[Handler], Handler]:
        """A text whose first word is one of `words` (e.g. 汇报, 通过 3)."""

        def register(handler: Handler) -> Handler:
            for word in words:
                self.commands[word] = handler
            return handler

        return register

    def state(self, *names: str) -> Callable[[Handler], Handler]:
        """A text from a user whose conversation is at step `name`."""

        def register(handler: Handler) -> Handler:
            for name in names:
                self.states[name] = handler
            return handler

        return register

    def on(self, kind: EventKind) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.events.setdefault(kind, []).append(handler)
            return handler

        return register

    def fallback(self, handler: Handler) -> Handler:
        self.fallbacks.append(handler)
        return handler

    def include(self, other: Router) -> None:
        for word, handler in other.commands.items():
            if word in self.commands:
                raise ValueError(f"command {word!r} registered twice ({other.name})")
            self.commands[word] = handler
        self.states.update(other.states)
        for kind, handlers in other.events.items():
            self.events.setdefault(kind, []).extend(handlers)
        self.fallbacks.extend(other.fallbacks)

    def dispatch(self, ctx: Context) -> bool:
        """Escape words first, then the user's current step, then commands, then fallbacks."""
        return any(handler(ctx) for handler in self._candidates(ctx))

    def _candidates(self, ctx: Context) -> list[Handler]:
        if ctx.event.kind is not EventKind.TEXT:
            return [*self.events.get(ctx.event.kind, []), *self.fallbacks]
        found: list[Handler] = []
        word = first_word(ctx.text)
        if word in ESCAPE_WORDS and word in self.commands:
            found.append(self.commands[word])
        state = ctx.state
        if state is not None and state in self.states:
            found.append(self.states[state])
        if word in self.commands:
            found.append(self.commands[word])
        return [*found, *self.fallbacks]


# Words that always win over a conversation step, so a user can always get out.
ESCAPE_WORDS = frozenset({"取消", "退出"})


def first_word(text: str) -> str:
    stripped = text.strip()
    return stripped.split(maxsplit=1)[0] if stripped else ""
