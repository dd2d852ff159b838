"""What the sandbox WeCom knows: one corp with one app, its address book and tokens, what it
delivered to whom, and the faults a test asked for, all behind one lock."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

TOKEN_LIFETIME = 7200
RESPONSE_CODE_LIFETIME = 72 * 3600
PER_MINUTE_LIMIT = 30
PER_HOUR_LIMIT = 1000


class SandboxError(Exception):
    """A WeCom error answer: HTTP 200 with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, **extra: Any) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg
        self.extra = extra


class ManualClock:
    """A clock that moves only when told to, for tests of expiry and rate limits."""

    def __init__(self, start: float = 1_764_720_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    parentid: int
    order: int = 0


@dataclass(frozen=True)
class User:
    userid: str
    name: str
    department: tuple[int, ...]


@dataclass(frozen=True)
class SentMessage:
    """One message to one member; `payload` is the request body as WeCom kept it."""

    userid: str
    msgtype: str
    payload: dict[str, Any]
    sent_at: float
    msgid: str
    dropped: bool
    response_code: str | None = None

    @property
    def content(self) -> str | None:
        """The text of a text or markdown message."""
        body = self.payload.get(self.msgtype)
        return body.get("content") if isinstance(body, dict) else None


@dataclass(frozen=True)
class Card:
    """A template card as one member sees it now."""

    userid: str
    task_id: str
    msgid: str
    template_card: dict[str, Any]
    sent_at: float
    replace_name: str | None = None
    updated_at: float | None = None

    @property
    def clickable(self) -> bool:
        """Greyed-out buttons (after `replace_name`) take no more clicks."""
        return self.replace_name is None and bool(self.button_keys)

    @property
    def button_keys(self) -> list[str]:
        return [button["key"] for button in self.template_card.get("button_list", [])]


@dataclass
class _ResponseCode:
    task_id: str
    issued_at: float
    used: bool = False


@dataclass
class _Failure:
    remaining: int
    errcode: int
    path: str | None


@dataclass
class _Token:
    value: str
    expires_at: float


@dataclass
class _Faults:
    failures: list[_Failure] = field(default_factory=list)
    down: bool = False
    delay: float = 0.0


class SandboxState:
    """The sandbox's whole memory; `clock` drives every expiry and rate limit."""

    def __init__(
        self,
        *,
        corp_id: str = "wwsandbox000000001",
        agent_id: int = 1000002,
        secret: str = "sandbox-app-secret",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.secret = secret
        self.clock = clock
        self._lock = threading.RLock()
        self._departments: dict[int, Department] = {}
        self._users: dict[str, User] = {}  # keyed by lowercased userid
        self._token: _Token | None = None
        self._messages: list[SentMessage] = []
        self._delivered_at: dict[str, deque[float]] = defaultdict(deque)
        self._cards: dict[tuple[str, str], Card] = {}  # (task_id, userid)
        self._task_ids: set[str] = set()
        self._codes: dict[str, _ResponseCode] = {}
        self._faults = _Faults()
        self._calls: Counter[str] = Counter()

    # Address book

    def add_department(self, id: int, name: str, parentid: int = 0, *, order: int = 0) -> None:
        with self._lock:
            self._departments[id] = Department(id, name, parentid, order)

    def add_user(self, userid: str, name: str, department_ids: Iterable[int]) -> None:
        with self._lock:
            self._users[userid.lower()] = User(userid, name, tuple(department_ids))

    def find_user(self, userid: str) -> User | None:
        with self._lock:
            return self._users.get(userid.lower())

    def users(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    def department_subtree(self, root: int | None) -> list[Department] | None:
        """The department and everything under it (all when `root` is None); None if unknown."""
        with self._lock:
            if root is None:
                return list(self._departments.values())
            if root not in self._departments:
                return None
            found, frontier = [], [root]
            while frontier:
                current = self._departments[frontier.pop(0)]
                found.append(current)
                frontier += [d.id for d in self._departments.values() if d.parentid == current.id]
            return found

    def users_in(self, department_id: int) -> list[User] | None:
        """Members directly in the department, not in its children; None if unknown."""
        with self._lock:
            if department_id not in self._departments:
                return None
            return [u for u in self._users.values() if department_id in u.department]

    # Tokens

    def issue_token(self, corpid: str, corpsecret: str) -> tuple[str, int]:
        """Like WeCom: the same token while it is valid, a new one after it expires."""
        with self._lock:
            if corpid != self.corp_id or corpsecret != self.secret:
                raise SandboxError(40001, "invalid credential")
            now = self.clock()
            if self._token is None or self._token.expires_at <= now:
                self._token = _Token(secrets.token_urlsafe(48), now + TOKEN_LIFETIME)
            return self._token.value, int(self._token.expires_at - now)

    def check_token(self, token: str | None) -> None:
        with self._lock:
            if not token:
                raise SandboxError(41001, "access_token missing")
            if self._token is None or token != self._token.value:
                raise SandboxError(40014, "invalid access_token")
            if self._token.expires_at <= self.clock():
                raise SandboxError(42001, "access_token expired")

    def revoke_tokens(self) -> None:
        """Invalidate the current token early, as WeCom may do: its next use gets 40014."""
        with self._lock:
            self._token = None

    # Calls and faults

    def record_call(self, path: str) -> None:
        with self._lock:
            self._calls[path] += 1

    def calls(self, path: str) -> int:
        """How many requests reached `path` (e.g. "gettoken"), failed ones included."""
        with self._lock:
            return self._calls[path]

    def fail_next(self, n: int, errcode: int, *, path: str | None = None) -> None:
        """Answer the next `n` calls (to `path`, e.g. "message/send", or to any) with errcode."""
        with self._lock:
            self._faults.failures.append(_Failure(n, errcode, path))

    def take_failure(self, path: str) -> int | None:
        with self._lock:
            for failure in self._faults.failures:
                if failure.remaining > 0 and failure.path in (None, path):
                    failure.remaining -= 1
                    return failure.errcode
            return None

    def set_down(self, down: bool) -> None:
        """While down, every call gets HTTP 503 and changes nothing."""
        with self._lock:
            self._faults.down = down

    def set_delay(self, seconds: float) -> None:
        """Answer every call this late, to exercise client timeouts."""
        with self._lock:
            self._faults.delay = seconds

    @property
    def down(self) -> bool:
        with self._lock:
            return self._faults.down

    @property
    def delay(self) -> float:
        with self._lock:
            return self._faults.delay

    # Delivery

    def deliver(self, userids: list[str], payload: dict[str, Any]) -> tuple[str, str | None]:
        """Record one message to known members; return its msgid and any response_code.

        Past the per-member limits the message is recorded as dropped and not shown, and the
        caller is not told: that is what WeCom does.
        """
        with self._lock:
            card = payload.get("template_card") if payload["msgtype"] == "template_card" else None
            if card is not None and card["task_id"] in self._task_ids:
                raise SandboxError(40058, "invalid task_id: already used by this app")

            now, msgid = self.clock(), secrets.token_urlsafe(32)
            code = self._mint_code(card["task_id"], now) if card is not None else None
            for userid in userids:
                user = self._users.get(userid.lower())
                self._deliver_one(user.userid if user else userid, payload, now, msgid, code)
            if card is not None:
                self._task_ids.add(card["task_id"])
            return msgid, code

    def _deliver_one(
        self, userid: str, payload: dict[str, Any], now: float, msgid: str, code: str | None
    ) -> None:
        dropped = not self._within_limits(userid, now)
        message = SentMessage(
            userid, payload["msgtype"], copy.deepcopy(payload), now, msgid, dropped, code
        )
        self._messages.append(message)
        if dropped:
            return

        self._delivered_at[userid.lower()].append(now)
        if message.msgtype == "template_card":
            card = copy.deepcopy(payload["template_card"])
            self._cards[(card["task_id"], userid)] = Card(
                userid, card["task_id"], msgid, card, now
            )

    def _within_limits(self, userid: str, now: float) -> bool:
        # Sliding windows are stricter than calendar minutes and hours, so a bot that stays
        # within them stays within WeCom's limits however WeCom counts.
        times = self._delivered_at[userid.lower()]
        while times and times[0] <= now - 3600:
            times.popleft()
        last_minute = sum(1 for t in times if t > now - 60)
        return last_minute < PER_MINUTE_LIMIT and len(times) < PER_HOUR_LIMIT

    # Cards and response codes

    def click(self, userid: str, task_id: str, key: str) -> str:
        """A member presses a card button; WeCom mints a fresh response_code for the click."""
        with self._lock:
            card = self._card(userid, task_id)
            if card is None:
                raise LookupError(f"no card {task_id!r} was delivered to {userid!r}")
            if not card.clickable:
                raise ValueError(f"card {task_id!r} of {userid!r} takes no clicks any more")
            if key not in card.button_keys:
                raise ValueError(f"card {task_id!r} has no button {key!r}")
            return self._mint_code(task_id, self.clock())

    def update_cards(
        self,
        code: str,
        *,
        userids: list[str] | None,
        replace_name: str | None = None,
        template_card: dict[str, Any] | None = None,
    ) -> list[str]:
        """Spend `code` on the cards of `userids` (all receivers if None); return invalid ids."""
        with self._lock:
            now = self.clock()
            entry = self._codes.get(code)
            if entry is None or entry.used or now - entry.issued_at >= RESPONSE_CODE_LIFETIME:
                raise SandboxError(60140, "invalid response_code")

            targets, invalid = self._update_targets(entry.task_id, userids)
            if not targets:
                raise SandboxError(81013, "user & party & tag all invalid", invaliduser=invalid)

            entry.used = True
            for card in targets:
                self._cards[(card.task_id, card.userid)] = _updated(
                    card, now, replace_name, template_card
                )
            return invalid

    def _update_targets(
        self, task_id: str, userids: list[str] | None
    ) -> tuple[list[Card], list[str]]:
        if userids is None:
            return [c for (t, _), c in self._cards.items() if t == task_id], []
        targets, invalid = [], []
        for userid in userids:
            card = self._card(userid, task_id)
            if card is None:
                invalid.append(userid.lower())
            else:
                targets.append(card)
        return targets, invalid

    def _mint_code(self, task_id: str, now: float) -> str:
        code = secrets.token_urlsafe(32)
        self._codes[code] = _ResponseCode(task_id, now)
        return code

    def _card(self, userid: str, task_id: str) -> Card | None:
        user = self._users.get(userid.lower())
        return self._cards.get((task_id, user.userid)) if user else None

    # Queries for tests and the demo

    def messages(self, *, include_dropped: bool = False) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._messages if include_dropped or not m.dropped]

    def messages_to(self, userid: str, *, include_dropped: bool = False) -> list[SentMessage]:
        """What one member was sent, oldest first; dropped ones only if asked for."""
        wanted = userid.lower()
        return [
            m for m in self.messages(include_dropped=include_dropped) if m.userid.lower() == wanted
        ]

    def last_message_to(self, userid: str) -> SentMessage | None:
        delivered = self.messages_to(userid)
        return delivered[-1] if delivered else None

    def dropped(self) -> list[SentMessage]:
        """Messages lost to the per-member limits: a bot that has any broke a WeCom limit."""
        with self._lock:
            return [m for m in self._messages if m.dropped]

    def cards_to(self, userid: str) -> list[Card]:
        """The cards one member holds, in their current state, oldest first."""
        wanted = userid.lower()
        with self._lock:
            return [c for c in self._cards.values() if c.userid.lower() == wanted]

    def card(self, userid: str, task_id: str) -> Card | None:
        with self._lock:
            return self._card(userid, task_id)


def _updated(
    card: Card,
    now: float,
    replace_name: str | None,
    template_card: dict[str, Any] | None,
) -> Card:
    if template_card is None:
        return replace(card, replace_name=replace_name, updated_at=now)
    fresh = copy.deepcopy(template_card) | {"task_id": card.task_id}
    return replace(card, template_card=fresh, replace_name=None, updated_at=now)
