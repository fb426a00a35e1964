"""Signed-in browsers: started from a claimed ticket, checked on every page (idle time,
end of life, the person still holding a desk role in that compound), ended from the
browser or, all at once, from the phone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from server.clock import utcnow
from server.errors import NotFound
from server.extensions import db
from server.models import Compound, ConsoleSession, ConsoleTicket
from server.services.console.tickets import console_role, digest
from server.services.governance import audit
from server.services.people.access import Principal, load_principal

# last_seen_at is written at most this often (not on every page).
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class Desk:
    """Who is at the desk: the person (their API permissions), the compound they signed
    in for, the role they act in there, and the session."""

    principal: Principal
    compound: Compound
    role: str  # committee | supervisor | admin
    session: ConsoleSession
    csrf_token: str

    @property
    def compound_id(self) -> int:
        return self.compound.id


def csrf_token_for(token_hash: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"console-csrf:" + token_hash.encode(), hashlib.sha256).hexdigest()


def start(ticket: ConsoleTicket) -> str:
    """A session for a claimed ticket (commits with the claim); the cookie's value."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session = ConsoleSession(
        token_hash=digest(raw),
        user_id=ticket.user_id,
        compound_id=ticket.compound_id,
        browser=ticket.browser,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=current_app.config["CONSOLE_SESSION_HOURS"]),
    )
    db.session.add(session)
    audit.record(
        ticket.compound_id,
        "console_signed_in",
        f"在电脑上登录（{ticket.browser}）",
        actor_id=ticket.user_id,
        subject_user_id=ticket.user_id,
    )
    db.session.commit()
    return raw


def _end(session: ConsoleSession, reason: str) -> None:
    session.revoked_at = utcnow()
    session.ended_reason = reason
    db.session.commit()


def resolve(raw: str | None) -> Desk | None:
    """The desk behind a session cookie, or None (signed out, idle, over, role ended)."""
    if not raw or len(raw) > 100:
        return None
    session = db.session.scalar(
        select(ConsoleSession).where(
            ConsoleSession.token_hash == digest(raw), ConsoleSession.revoked_at.is_(None)
        )
    )
    if session is None:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["CONSOLE_IDLE_MINUTES"])
    if session.expires_at <= now or session.last_seen_at + idle <= now:
        _end(session, "idle")
        return None
    principal = load_principal(session.user_id)
    compound = db.session.get(Compound, session.compound_id)
    role = None
    if principal is not None and compound is not None:
        role = console_role(principal, compound)
    if role is None:
        _end(session, "role_ended")
        return None
    if now - session.last_seen_at >= _TOUCH_EVERY:
        session.last_seen_at = now
        db.session.commit()
    return Desk(
        in_compound(principal, session.compound_id),
        compound,
        role,
        session,
        csrf_token_for(session.token_hash),
    )


def in_compound(principal: Principal, compound_id: int) -> Principal:
    """The person with only the roles they hold in `compound_id` (and the platform
    admin's): the desk signed in for one compound cannot reach another the same person
    serves, even through a service that takes a bare object id."""
    kept = [m for m in principal.memberships if m.compound_id in (compound_id, None)]
    return Principal(principal.user, kept)


def sign_out(desk: Desk) -> None:
    _end(desk.session, "signed_out")


def _open_of(user_id: int):
    return select(ConsoleSession).where(
        ConsoleSession.user_id == user_id,
        ConsoleSession.revoked_at.is_(None),
        ConsoleSession.expires_at > utcnow(),
    )


def active(principal: Principal) -> list[dict]:
    """The caller's signed-in computers, newest first (for the phone)."""
    idle = timedelta(minutes=current_app.config["CONSOLE_IDLE_MINUTES"])
    now = utcnow()
    rows = list(db.session.scalars(_open_of(principal.id).order_by(ConsoleSession.id.desc())))
    # The names of these sessions' compounds (not every compound an admin may choose).
    names = dict(
        db.session.execute(
            select(Compound.id, Compound.name).where(Compound.id.in_({s.compound_id for s in rows}))
        ).all()
    )
    return [
        {
            "id": s.id,
            "browser": s.browser,
            "compound": {"id": s.compound_id, "name": names.get(s.compound_id, "")},
            "signed_in_at": s.created_at,
            "last_seen_at": s.last_seen_at,
        }
        for s in rows
        if s.last_seen_at + idle > now
    ]


def sign_out_everywhere(principal: Principal) -> int:
    """Ends every computer session of the caller (commits); how many there were."""
    sessions = list(db.session.scalars(_open_of(principal.id)))
    if not sessions:
        return 0
    db.session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id.in_([s.id for s in sessions]))
        .values(revoked_at=utcnow(), ended_reason="signed_out_everywhere")
    )
    for compound_id in sorted({s.compound_id for s in sessions}):
        audit.record(
            compound_id,
            "console_signed_out_everywhere",
            "从手机上退出了所有电脑",
            actor_id=principal.id,
            subject_user_id=principal.id,
        )
    db.session.commit()
    return len(sessions)


def sign_out_one(principal: Principal, session_id: int) -> None:
    session = db.session.scalar(_open_of(principal.id).where(ConsoleSession.id == session_id))
    if session is None:
        raise NotFound("找不到这台电脑的登录", code="console_session_not_found")
    _end(session, "signed_out")


def prune(ticket_days: int = 1, session_days: int = 180) -> int:
    """Forget QR tickets older than `ticket_days` and sessions over for more than
    `session_days` (the audit log keeps each sign-in). Returns how many rows went."""
    now = utcnow()
    tickets_gone = db.session.execute(
        delete(ConsoleTicket).where(ConsoleTicket.created_at < now - timedelta(days=ticket_days))
    ).rowcount
    cutoff = now - timedelta(days=session_days)
    sessions_gone = db.session.execute(
        delete(ConsoleSession).where(
            or_(ConsoleSession.revoked_at < cutoff, ConsoleSession.expires_at < cutoff)
        )
    ).rowcount
    db.session.commit()
    return tickets_gone + sessions_gone
