"""The audit log: who did what, when, to which record."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from bot.storage.models import AuditLog


def audit(
    session: Session, *, actor: str, action: str, target: str | None = None, **detail: Any
) -> None:
    """Add one audit row to the session's transaction (it commits with the change it records)."""
    text = json.dumps(detail, ensure_ascii=False, default=str) if detail else None
    session.add(AuditLog(actor=actor, action=action, target=target, detail=text))
