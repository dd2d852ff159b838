"""The whole product over real HTTP with one department, its liaison and head, two leaders, a
leader's delegate and an office, and reports for 2026-09 to review.

The clock stands at 2026-10-09 10:00 in Shanghai: working day 2 of September's window
(10-08, 10-09, 10-10 make-up Saturday, 10-12, 10-13), so an approval now is 按时上报.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session, col, select

from bot.approval.review import request_review
from bot.clock import clock, local_moment
from bot.periods import Period
from bot.sandbox.state import Card
from bot.storage import reports
from bot.storage.calendar_days import load_calendar
from bot.storage.messaging import OutboxMessage
from bot.storage.models import Approval, Report, ReportKind, Role, SelfAssessment, Task
from bot.storage.workflow import ApprovalCard
from tests import factories
from tests.stack import Stack, start_stack, wait_until

LEADER = "WangXZ"  # mixed case: WeCom userids are case-insensitive
DELEGATE = "mishu"
LIAISON = "zhangsan"
HEAD = "lisi"
OTHER_LEADER = "zhaofz"
OFFICE = "dangban"
DEPARTMENT = "宣传部"
PERIOD = "2026-09"
TODAY = date(2026, 10, 9)

PEOPLE = (
    (LEADER, "王校长", ((Role.LEADER, None),)),
    (DELEGATE, "刘秘书", ()),
    (LIAISON, "张三", ((Role.LIAISON, DEPARTMENT),)),
    (HEAD, "李四", ((Role.HEAD, DEPARTMENT),)),
    (OTHER_LEADER, "赵校长", ((Role.LEADER, None),)),
    (OFFICE, "党办小陈", ((Role.PARTY_OFFICE, None),)),
)


@dataclass
class Review:
    """The stack, and ways to submit reports and look at what became of them."""

    stack: Stack

    def task(
        self,
        number: int,
        *,
        title: str | None = None,
        item_no: int = 0,
        deadline: tuple[int, int] = (2026, 12),
        leader: str = "王校长",
    ) -> int:
        with Session(self.stack.engine) as session:
            row = factories.task(
                session,
                number=number,
                title=title,
                item_no=item_no,
                deadline=deadline,
                leader=leader,
                departments=(DEPARTMENT,),
            )
            session.commit()
            return row.id or 0

    def submit(
        self,
        task_id: int,
        text: str = "完成了本月计划的各项工作。",
        *,
        kind: ReportKind = ReportKind.PROGRESS,
        assessment: SelfAssessment | None = None,
        reasons: str | None = None,
    ) -> int:
        """The liaison submits (or resubmits) the report, and it goes to review."""
        with Session(self.stack.engine) as session:
            report = reports.report_for(
                session,
                task_id=task_id,
                department_id=factories.department(session, DEPARTMENT).id or 0,
                period=Period.parse(PERIOD),
                kind=kind,
            )
            reports.submit(
                session,
                report,
                actor=LIAISON,
                text=text,
                kind=kind,
                self_assessment=assessment,
                reasons=reasons,
            )
            calendar = load_calendar(session)
            request_review(
                session, report, calendar=calendar, settings=self.stack.runtime.settings
            )
            session.commit()
            report_id = report.id or 0
        # What the runtime does after each handled event, the liaison's submission included.
        self.stack.runtime.sender.wake()
        self.stack.runtime.cards.wake()
        self.stack.settle()
        return report_id

    def report(self, report_id: int) -> Report:
        with Session(self.stack.engine) as session:
            found = session.get(Report, report_id)
            assert found is not None
            return found

    def approvals(self, report_id: int) -> list[Approval]:
        with Session(self.stack.engine) as session:
            query = select(Approval).where(Approval.report_id == report_id)
            return list(session.exec(query).all())

    def card_rows(self, report_id: int) -> list[ApprovalCard]:
        with Session(self.stack.engine) as session:
            query = select(ApprovalCard).where(ApprovalCard.report_id == report_id)
            return list(session.exec(query.order_by(col(ApprovalCard.id))).all())

    def card(self, userid: str, report_id: int) -> Card:
        """The newest card about the report that `userid` holds, as the sandbox shows it now."""
        cards = [
            card
            for card in self.stack.sandbox.cards_to(userid)
            if card.task_id.startswith(f"rpt{report_id}-")
        ]
        assert cards, f"{userid} holds no card for report {report_id}"
        return cards[-1]

    def click(self, userid: str, report_id: int, action: str) -> None:
        card = self.card(userid, report_id)
        response = self.stack.users.click_card(userid, card.task_id, f"{action}:{report_id}")
        assert response.status_code == 200
        self.stack.settle()

    def texts(self, userid: str) -> list[str]:
        return [m.content or "" for m in self.stack.sandbox.messages_to(userid) if m.content]

    def wait_greyed(self, userid: str, task_id: str, label: str) -> None:
        wait_until(lambda: _replace_name(self.stack, userid, task_id) == label)

    def outbox_purposes(self, userid: str) -> list[str | None]:
        with Session(self.stack.engine) as session:
            query = select(OutboxMessage.purpose).where(OutboxMessage.recipient == userid)
            return list(session.exec(query.order_by(col(OutboxMessage.id))).all())

    def task_row(self, task_id: int) -> Task:
        with Session(self.stack.engine) as session:
            found = session.get(Task, task_id)
            assert found is not None
            return found


def _replace_name(stack: Stack, userid: str, task_id: str) -> str | None:
    card = stack.sandbox.card(userid, task_id)
    return card.replace_name if card is not None else None


@pytest.fixture
def review(tmp_path) -> Iterator[Review]:
    clock.set(local_moment(TODAY, 10))
    stack = start_stack(
        f"sqlite:///{tmp_path / 'bot.db'}", leader_delegates=f"{LEADER}:{DELEGATE}"
    )
    try:
        with Session(stack.engine) as session:
            for userid, name, roles in PEOPLE:
                factories.person(session, userid=userid, name=name, roles=roles)
            session.commit()
        for userid, name, _ in PEOPLE:
            stack.member(userid, name)
        yield Review(stack)
    finally:
        stack.stop()
