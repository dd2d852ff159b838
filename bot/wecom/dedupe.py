"""A fast first check that a callback is new; the inbox's unique key is the final word."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis

WINDOW_SECONDS = 3600  # WeCom retries within seconds; an hour is plenty


class Deduper(Protocol):
    def first_time(self, key: str) -> bool: ...

    def forget(self, key: str) -> None:
        """Undo `first_time` for a callback that could not be stored after all."""


class MemoryDeduper:
    def __init__(self, window_seconds: int = WINDOW_SECONDS) -> None:
        self._seen: dict[str, float] = {}
        self._window = window_seconds
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + self._window
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


class RedisDeduper:
    """SET NX with an expiry: shared by every instance of the service."""

    def __init__(self, client: redis.Redis, *, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix

    def first_time(self, key: str) -> bool:
        return bool(self._redis.set(self._key(key), 1, nx=True, ex=WINDOW_SECONDS))

    def forget(self, key: str) -> None:
        self._redis.delete(self._key(key))

    def _key(self, key: str) -> str:
        return f"{self._prefix}:seen:{key}"
