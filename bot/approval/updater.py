"""Greying out the buttons of decided and superseded cards, outside any callback transaction.

The wish is stored on the card itself: a closed card (`acted` or `superseded`) that still
holds a response code has not been greyed out yet. A successful update, or one WeCom refuses
for good (60140: the code is spent or older than 72 hours), clears the code; a transient
failure leaves it for the next pass, so an outage delays the update but does not lose it.
The text commands of `bot.handlers.approval` keep working whatever becomes of the card.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.approval.review import ACTED, SUPERSEDED
from bot.storage.messaging import OutboxMessage
from bot.storage.workflow import ApprovalCard
from bot.wecom.client import PermanentWeComError, TransientWeComError
from bot.words import say

logger = logging.getLogger(__name__)

CODE_SPENT = 60140
BATCH = 100


class CardClient(Protocol):
    """What the updater needs of the WeCom client."""

    def update_template_card(
        self,
        response_code: str,
        *,
        userids: list[str] | None = ...,
        replace_name: str | None = ...,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Due:
    card_id: int
    code: str
    recipient: str
    label: str


def push_card_updates(engine: Engine, client: CardClient) -> int:
    """Grey out every closed card that still holds a response code; returns how many were.

    Stops at the first transient failure: WeCom is down or busy, and the next pass retries.
    """
    done = 0
    for due in _due_updates(engine):
        try:
            client.update_template_card(due.code, userids=[due.recipient], replace_name=due.label)
        except TransientWeComError as error:
            logger.warning(
                "card %s not updated yet (errcode %s); will retry", due.card_id, error.errcode
            )
            break
        except PermanentWeComError as error:
            _log_refusal(due, error)
        else:
            done += 1
        _spend(engine, due)
    return done


def _due_updates(engine: Engine) -> list[_Due]:
    query = (
        select(ApprovalCard, OutboxMessage.recipient)
        .outerjoin(OutboxMessage, col(OutboxMessage.id) == ApprovalCard.outbox_id)
        .where(col(ApprovalCard.status).in_((ACTED, SUPERSEDED)))
        .where(col(ApprovalCard.response_code).is_not(None))
        .order_by(col(ApprovalCard.id))
        .limit(BATCH)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    return [
        _Due(
            card.id or 0,
            card.response_code or "",
            recipient or card.leader_userid,
            say("approval.card_closed", status=card.status, outcome=card.outcome),
        )
        for card, recipient in rows
    ]


def _log_refusal(due: _Due, error: PermanentWeComError) -> None:
    # A spent or expired code is expected (72 h, one use); the text commands cover it.
    if error.errcode == CODE_SPENT:
        logger.info("card %s can no longer change (code spent or expired)", due.card_id)
    else:
        logger.warning("card %s update refused for good: errcode %s", due.card_id, error.errcode)


def _spend(engine: Engine, due: _Due) -> None:
    """Clear the code used, unless a newer click brought another one meanwhile."""
    with Session(engine) as session:
        session.execute(
            update(ApprovalCard)
            .where(col(ApprovalCard.id) == due.card_id)
            .where(col(ApprovalCard.response_code) == due.code)
            .values(response_code=None)
        )
        session.commit()


class CardUpdater:
    """Runs `push_card_updates` in its own thread: at start, when woken, and every interval."""

    def __init__(
        self, engine: Engine, client: CardClient, *, interval_seconds: float = 30.0
    ) -> None:
        self._engine = engine
        self._client = client
        self._interval = interval_seconds
        self._wakeup = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            # Cleared before the pass, so that a wake during the pass starts another one.
            self._wakeup.clear()
            try:
                push_card_updates(self._engine, self._client)
            except Exception:
                logger.exception("card update pass failed; will try again")
            self._wakeup.wait(self._interval)
