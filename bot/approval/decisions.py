"""A reviewer's decision on a report, whichever way it came (card, text, bulk): the report's
flow moves on, its open cards close, and the department hears of it."""

from __future__ import annotations

from sqlmodel import Session

from bot.approval.cards import APPROVE, RETURN
from bot.approval.items import ReviewItem
from bot.approval.review import close_open_cards
from bot.calendar import WorkCalendar
from bot.clock import clock
from bot.handlers.owed import liaison_owed
from bot.handlers.reporting_season import open_periods
from bot.storage import reports
from bot.storage.messaging import enqueue
from bot.storage.models import Report, Role
from bot.storage.people import find_member, holders
from bot.words import render


def approve_report(
    session: Session, item: ReviewItem, *, actor: str, calendar: WorkCalendar, via: str
) -> Report:
    """Approve: the whole flow is complete and the verdict is judged on it (R13-R15)."""
    report = reports.approve(session, item.report, actor=actor, calendar=calendar, via=via)
    close_open_cards(session, item.report_id, outcome=APPROVE)

    text = render("approval/approved.txt.j2", item=item, actor=_name(session, actor))
    department = [item.report.author_userid or "", *_people(session, Role.HEAD, item)]
    _send(session, department, text, purpose="approved")
    _tell_leader_of_delegate(session, item, actor, "approve")
    return report


def return_report(
    session: Session,
    item: ReviewItem,
    *,
    actor: str,
    comment: str,
    calendar: WorkCalendar,
    via: str,
) -> Report:
    """Return the report with the reviewer's comment, for the liaison to revise and resubmit."""
    report = reports.return_to_liaison(session, item.report, actor=actor, comment=comment, via=via)
    close_open_cards(session, item.report_id, outcome=RETURN)

    author = item.report.author_userid
    liaisons = [author] if author else _people(session, Role.LIAISON, item)
    number = _line_number(session, calendar, item, author)
    text = render(
        "approval/returned.txt.j2", item=item, actor=_name(session, actor), number=number
    )
    _send(session, liaisons, text, purpose="returned")
    _tell_leader_of_delegate(session, item, actor, "return")
    return report


def _tell_leader_of_delegate(session: Session, item: ReviewItem, actor: str, action: str) -> None:
    """The review is the leader's (R13): when a delegate acted, the leader is told."""
    leader = item.leader
    if leader is None or leader.userid.lower() == actor.lower():
        return
    text = render(
        "approval/delegate_acted.txt.j2", item=item, actor=_name(session, actor), action=action
    )
    _send(session, [leader.userid], text, purpose="delegate_acted")


def _line_number(
    session: Session, calendar: WorkCalendar, item: ReviewItem, userid: str | None
) -> int | None:
    """The report's line in the liaison's list, which `修改 N` takes; None if not listed now."""
    member = find_member(session, userid) if userid else None
    if member is None:
        return None
    wanted = (item.report.task_id, item.report.department_id, item.report.period)
    entries = liaison_owed(session, calendar, open_periods(clock.today(), calendar), member)
    for number, entry in enumerate(entries, start=1):
        if entry.key == wanted:
            return number
    return None


def _people(session: Session, role: Role, item: ReviewItem) -> list[str]:
    return [person.userid for person in holders(session, role, item.report.department_id)]


def _name(session: Session, userid: str) -> str:
    member = find_member(session, userid)
    return member.person.name if member is not None else userid


def _send(session: Session, userids: list[str], text: str, *, purpose: str) -> None:
    recipients = [userid for userid in userids if userid]
    if recipients:
        enqueue(session, recipients, "text", {"content": text}, purpose=purpose)
