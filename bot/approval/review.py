"""Sending a submitted report to its leader for review (R13, B04), and the cards' lifecycle.

A card is `open` until someone decides the report (`acted`, with the `outcome`) or a newer
version replaces it (`superseded`). Closing a card keeps a response code on it, so that
`bot.approval.updater` can grey its buttons out after the transaction has committed.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.approval.cards import build_card, new_task_id
from bot.approval.delegates import configured_delegates
from bot.approval.items import ReviewItem, load_item
from bot.calendar import WorkCalendar
from bot.clock import clock
from bot.config import Settings, get_settings
from bot.handlers.message_size import split_message
from bot.periods import Period
from bot.storage.messaging import OutboxMessage, enqueue
from bot.storage.models import Report, Role
from bot.storage.people import holders
from bot.storage.workflow import ApprovalCard
from bot.words import render

logger = logging.getLogger(__name__)

OPEN, ACTED, SUPERSEDED = "open", "acted", "superseded"


def request_review(
    session: Session,
    report: Report,
    *,
    calendar: WorkCalendar,
    settings: Settings | None = None,
) -> ApprovalCard | None:
    """Send the just-submitted `report` to its leader (and the leader's delegates): the full
    text, then a card to approve or return it. Returns the leader's card.

    Older open cards of the report are superseded. When the task's leader is not in the
    people table, the offices are told instead and None is returned; the report still waits,
    and the leader can review it with 待审 once added. `settings` defaults to the process's.
    """
    item = load_item(session, report)
    supersede_open_cards(session, item.report_id)
    if item.leader is None:
        _tell_offices_leader_missing(session, item)
        return None

    delegates = configured_delegates((settings or get_settings()).leader_delegates)
    review_by = Period.parse(report.period).window(calendar).on_time_until
    leader = item.leader.userid
    recipients = [leader, *(d for d in delegates.of(leader) if d != leader.lower())]
    cards = [
        _send(session, item, leader, recipient, review_by=review_by) for recipient in recipients
    ]

    logger.info("report %s sent to leader %s for review", item.report_id, leader)
    return cards[0]


def _send(
    session: Session, item: ReviewItem, leader_userid: str, recipient: str, *, review_by: date
) -> ApprovalCard:
    text = render("approval/review.txt.j2", item=item, report_id=item.report_id)
    for piece in split_message(text):
        enqueue(session, recipient, "text", {"content": piece}, purpose="review")

    task_id = new_task_id(item.report_id, _card_count(session, item.report_id) + 1)
    card = build_card(item, task_id=task_id, review_by=review_by)
    [row] = enqueue(session, recipient, "template_card", card, purpose="review_card", ref=task_id)
    session.flush()

    approval = ApprovalCard(
        report_id=item.report_id,
        card_task_id=task_id,
        leader_userid=leader_userid,
        outbox_id=row.id,
    )
    session.add(approval)
    session.flush()
    return approval


def _card_count(session: Session, report_id: int) -> int:
    query = select(func.count()).where(ApprovalCard.report_id == report_id)
    return int(session.exec(query).one())


def _tell_offices_leader_missing(session: Session, item: ReviewItem) -> None:
    offices = [
        person.userid
        for role in (Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE)
        for person in holders(session, role)
    ]
    logger.warning(
        "report %s: the task's leader is not in the people table; %d office members told",
        item.report_id,
        len(offices),
    )
    if offices:
        text = render("approval/leader_missing.txt.j2", item=item)
        enqueue(session, offices, "text", {"content": text}, purpose="leader_missing")


# -- the cards' lifecycle ---------------------------------------------------------------


def card_by_task_id(session: Session, task_id: str | None) -> ApprovalCard | None:
    if not task_id:
        return None
    return session.exec(select(ApprovalCard).where(ApprovalCard.card_task_id == task_id)).first()


def open_cards(session: Session, report_id: int) -> list[ApprovalCard]:
    query = select(ApprovalCard).where(
        ApprovalCard.report_id == report_id, ApprovalCard.status == OPEN
    )
    return list(session.exec(query.order_by(col(ApprovalCard.id))).all())


def close_open_cards(session: Session, report_id: int, *, outcome: str) -> None:
    """The report was decided (approve or return): every open card of it is done."""
    for card in open_cards(session, report_id):
        close_card(session, card, status=ACTED, outcome=outcome)


def supersede_open_cards(session: Session, report_id: int) -> None:
    for card in open_cards(session, report_id):
        close_card(session, card, status=SUPERSEDED, outcome=None)


def close_card(
    session: Session,
    card: ApprovalCard,
    *,
    status: str,
    outcome: str | None,
    response_code: str | None = None,
) -> None:
    """Close the card, keeping the newest response code that can grey it out.

    A card nobody clicked still has the code WeCom gave with its delivery, on the outbox row.
    """
    card.status = status
    card.outcome = outcome
    card.acted_at = clock.now()
    card.response_code = response_code or card.response_code or _delivery_code(session, card)
    session.add(card)


def _delivery_code(session: Session, card: ApprovalCard) -> str | None:
    row = session.get(OutboxMessage, card.outbox_id) if card.outbox_id else None
    return row.response_code if row is not None else None
