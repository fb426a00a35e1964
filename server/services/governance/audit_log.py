"""Reading a compound's audit log (任免记录): newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.errors import ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import AuditEvent
from server.models.governance import AUDIT_ACTIONS
from server.services import cursors
from server.services.governance import appointing
from server.services.people import users
from server.services.people.access import Principal, record_access

NO_ACTOR = "管理员（命令行）"


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    action: str
    action_label: str
    actor: str
    role: str | None
    role_label: str | None
    summary: str


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditLine]
    next_cursor: str | None


def read(
    principal: Principal,
    code: str,
    cursor: str | None = None,
    limit: int = 30,
    *,
    action: str | None = None,
) -> AuditPage:
    """The compound's appointments, revocations, invites, terms and handovers, newest
    first; `cursor` continues after a page, `action` (one of AUDIT_ACTIONS) keeps only
    those lines. The read is access-logged (commits). Raises NotFound, Forbidden
    (committee, supervisor and the platform admin read it), ValidationFailed (bad_cursor,
    bad_action)."""
    compound = appointing.reader_compound(principal, code)
    query = select(AuditEvent).where(AuditEvent.compound_id == compound.id)
    if action is not None:
        if action not in AUDIT_ACTIONS:
            raise ValidationFailed("没有这种操作，请从列表中选择", code="bad_action")
        query = query.where(AuditEvent.action == action)
    after = cursors.decode(cursor)
    if after is not None:
        query = query.where(AuditEvent.id < after)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)).all()
    more = len(events) > limit
    events = events[:limit]
    names = users.names_in(compound.id, [e.actor_id for e in events])
    items = [
        AuditLine(
            id=e.id,
            at=e.created_at,
            action=e.action,
            action_label=label("audit_action", e.action),
            actor=names.get(e.actor_id, NO_ACTOR) if e.actor_id else NO_ACTOR,
            role=e.role,
            role_label=label("role", e.role) if e.role else None,
            summary=e.summary,
        )
        for e in events
    ]
    # Who was appointed or removed, and why, is personal data: the read is logged.
    record_access(principal, "list", "audit_event", [e.id for e in events], compound.id)
    db.session.commit()
    return AuditPage(items, cursors.encode(events[-1].id) if more else None)
