"""The compound's audit log: every appointment, revocation, handover and roster change,
in Chinese as the committee and the supervisor read it."""

from __future__ import annotations

from server.clock import utcnow
from server.extensions import db
from server.models import AuditEvent
from server.models.governance import AUDIT_ACTIONS


def record(
    compound_id: int,
    action: str,
    summary: str,
    *,
    actor_id: int | None,
    subject_user_id: int | None = None,
    role: str | None = None,
    scope_key: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Add one line to the log (no commit: it commits with the change it records)."""
    if action not in AUDIT_ACTIONS:
        raise KeyError(action)  # a typo, not data
    event = AuditEvent(
        compound_id=compound_id,
        actor_id=actor_id,
        action=action,
        subject_user_id=subject_user_id,
        role=role,
        scope_key=scope_key,
        summary=summary[:300],
        details=details,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event
