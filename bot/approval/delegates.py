"""Who may review for a leader: the leader, and the delegates the offices configured."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delegates:
    """Delegates by leader, userids lowercased because WeCom treats them case-insensitively."""

    by_leader: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Delegates:
        """`leaderid:delegateid,leaderid2:other`; a leader may be listed more than once."""
        found: dict[str, list[str]] = {}
        for entry in text.replace("，", ",").split(","):
            leader, colon, delegate = (part.strip() for part in entry.partition(":"))
            if not entry.strip():
                continue
            if not colon or not leader or not delegate:
                logger.warning(
                    "LEADER_DELEGATES entry %r is not leaderid:delegateid; skipped", entry
                )
                continue
            found.setdefault(leader.lower(), []).append(delegate.lower())
        return cls({leader: tuple(dict.fromkeys(ids)) for leader, ids in found.items()})

    def of(self, leader_userid: str) -> tuple[str, ...]:
        return self.by_leader.get(leader_userid.lower(), ())

    def leaders_of(self, userid: str) -> list[str]:
        """The leaders `userid` may review for as a delegate."""
        wanted = userid.lower()
        return [leader for leader, ids in self.by_leader.items() if wanted in ids]

    def may_act_for(self, userid: str, leader_userid: str) -> bool:
        return userid.lower() == leader_userid.lower() or userid.lower() in self.of(leader_userid)


@lru_cache(maxsize=4)
def configured_delegates(text: str) -> Delegates:
    """`Delegates.parse`, once per setting value: a bad entry is warned about once."""
    return Delegates.parse(text)
