"""What a conversation handler gets: the event, who sent it, their state, and a way to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.calendar import WorkCalendar
from bot.config import Settings
from bot.storage.audit import audit
from bot.storage.messaging import enqueue
from bot.storage.people import Member
from bot.storage.state import StateStore
from bot.wecom.events import Inbound
from bot.words import render, say


@dataclass
class Context:
    """One inbound event being handled, inside one database transaction and the user's lock.

    Replies go to the outbox in the same transaction as the change they report, so a reply
    is sent if and only if the change was kept.
    """

    session: Session
    event: Inbound
    member: Member | None
    store: StateStore
    calendar: WorkCalendar
    settings: Settings

    @property
    def userid(self) -> str:
        return self.event.userid

    @property
    def text(self) -> str:
        return self.event.content.strip()

    # -- answering ---------------------------------------------------------------------

    def reply(self, text: str) -> None:
        self.send(self.userid, text)

    def reply_phrase(self, key: str, /, **context: Any) -> None:
        self.reply(say(key, **context))

    def reply_template(self, template: str, /, **context: Any) -> None:
        self.reply(render(template, **context))

    def send(self, recipients: list[str] | str, text: str, *, purpose: str = "reply") -> None:
        enqueue(self.session, recipients, "text", {"content": text}, purpose=purpose)

    def send_markdown(self, recipients: list[str] | str, text: str, *, purpose: str) -> None:
        enqueue(self.session, recipients, "markdown", {"content": text}, purpose=purpose)

    def send_card(
        self, recipients: list[str] | str, card: dict[str, Any], *, purpose: str, ref: str
    ) -> None:
        enqueue(self.session, recipients, "template_card", card, purpose=purpose, ref=ref)

    # -- conversation state ------------------------------------------------------------

    @property
    def state(self) -> str | None:
        return self.store.get_state(self.userid)

    def set_state(self, state: str | None) -> None:
        self.store.set_state(self.userid, state)

    @property
    def data(self) -> dict[str, Any]:
        return self.store.get_data(self.userid)

    def update_data(self, **values: Any) -> dict[str, Any]:
        return self.store.update_data(self.userid, **values)

    def clear(self) -> None:
        self.store.clear(self.userid)

    # -- record ------------------------------------------------------------------------

    def audit(self, action: str, target: str | None = None, **detail: Any) -> None:
        audit(self.session, actor=self.userid, action=action, target=target, **detail)
