"""Conversation state per user: a step name and a small dict, behind one interface.

Two implementations: in-process (the default, one instance) and Redis (several instances).
Keys carry a prefix and an expiry; every read-modify-write happens under a per-user lock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import redis

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
LOCK_TIMEOUT_SECONDS = 30


class StateStore(Protocol):
    def lock(self, userid: str) -> Any:
        """A context manager holding the user's lock; state changes happen inside it."""

    def get_state(self, userid: str) -> str | None: ...

    def set_state(self, userid: str, state: str | None) -> None: ...

    def get_data(self, userid: str) -> dict[str, Any]: ...

    def update_data(self, userid: str, **values: Any) -> dict[str, Any]: ...

    def clear(self, userid: str) -> None: ...


class MemoryStateStore:
    """State in this process only; expired entries vanish on read."""

    def __init__(self, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[float, str | None, dict[str, Any]]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}

    @contextmanager
    def lock(self, userid: str) -> Iterator[None]:
        with self._guard:
            user_lock = self._locks.setdefault(userid.lower(), threading.RLock())
        with user_lock:
            yield

    def _entry(self, userid: str) -> tuple[str | None, dict[str, Any]]:
        found = self._entries.get(userid.lower())
        if found is None or found[0] < time.monotonic():
            return None, {}
        return found[1], dict(found[2])

    def _put(self, userid: str, state: str | None, data: dict[str, Any]) -> None:
        self._entries[userid.lower()] = (time.monotonic() + self._ttl, state, data)

    def get_state(self, userid: str) -> str | None:
        return self._entry(userid)[0]

    def set_state(self, userid: str, state: str | None) -> None:
        self._put(userid, state, self._entry(userid)[1])

    def get_data(self, userid: str) -> dict[str, Any]:
        return self._entry(userid)[1]

    def update_data(self, userid: str, **values: Any) -> dict[str, Any]:
        state, data = self._entry(userid)
        data.update(values)
        self._put(userid, state, data)
        return dict(data)

    def clear(self, userid: str) -> None:
        self._entries.pop(userid.lower(), None)


class RedisStateStore:
    """State in Redis under `{prefix}:fsm:{userid}:state|data`, with a Redis lock per user."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "duban", ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, userid: str, part: str) -> str:
        return f"{self._prefix}:fsm:{userid.lower()}:{part}"

    @contextmanager
    def lock(self, userid: str) -> Iterator[None]:
        # One Lock object per acquisition, always with a timeout (CALENDAR.md, redis-py 8).
        user_lock = self._redis.lock(
            self._key(userid, "lock"), timeout=LOCK_TIMEOUT_SECONDS, blocking_timeout=60
        )
        if not user_lock.acquire():
            raise TimeoutError(f"conversation lock for {userid} not acquired")
        try:
            yield
        finally:
            user_lock.release()

    def get_state(self, userid: str) -> str | None:
        value = self._redis.get(self._key(userid, "state"))
        return value.decode() if isinstance(value, bytes) else value

    def set_state(self, userid: str, state: str | None) -> None:
        key = self._key(userid, "state")
        if state is None:
            self._redis.delete(key)
        else:
            self._redis.set(key, state, ex=self._ttl)

    def get_data(self, userid: str) -> dict[str, Any]:
        value = self._redis.get(self._key(userid, "data"))
        return json.loads(value) if value else {}

    def update_data(self, userid: str, **values: Any) -> dict[str, Any]:
        data = self.get_data(userid)
        data.update(values)
        self._redis.set(
            self._key(userid, "data"), json.dumps(data, ensure_ascii=False), ex=self._ttl
        )
        return data

    def clear(self, userid: str) -> None:
        self._redis.delete(self._key(userid, "state"), self._key(userid, "data"))


def make_state_store(redis_url: str | None, *, prefix: str = "duban") -> StateStore:
    if redis_url:
        return RedisStateStore(redis.Redis.from_url(redis_url), prefix=prefix)
    return MemoryStateStore()
