"""QR sign-in: the browser shows a short-lived ticket, the phone confirms it for one
compound, and the browser that holds the ticket's secret claims it once."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.models import Compound, ConsoleTicket
from server.services.people.access import Principal

# What the QR code carries: the prefix tells the mini-program's scanner what it is.
QR_PREFIX = "linli-console:"
CONSOLE_ROLES = ("committee", "supervisor", "admin")
_TICKET = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def browser_label(user_agent: str | None) -> str:
    """ "Chrome · Windows": enough for the phone to recognise the computer, nothing more."""
    agent = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("QQBrowser", "QQ浏览器"),
                ("360", "360浏览器"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in agent
        ),
        "浏览器",
    )
    system = next(
        (
            name
            for token, name in (
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Android", "Android"),
                ("Linux", "Linux"),
            )
            if token in agent
        ),
        "电脑",
    )
    return f"{browser} · {system}"


@dataclass
class OpenedTicket:
    qr_text: str  # what the QR code shows
    browser_secret: str  # the showing browser's cookie
    expires_at: object


def open_ticket(user_agent: str | None) -> OpenedTicket:
    """A new QR code for a browser (commits)."""
    raw, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    now = utcnow()
    ticket = ConsoleTicket(
        ticket_hash=digest(raw),
        browser_hash=digest(secret),
        browser=browser_label(user_agent),
        created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["CONSOLE_TICKET_SECONDS"]),
    )
    db.session.add(ticket)
    db.session.commit()
    return OpenedTicket(QR_PREFIX + raw, secret, ticket.expires_at)


def _raw(text: str) -> str:
    raw = text.removeprefix(QR_PREFIX).strip()
    if not _TICKET.match(raw):
        raise NotFound("这不是邻里电脑端的登录二维码", code="console_ticket_not_found")
    return raw


def _live(text: str, *, for_update: bool = False) -> ConsoleTicket:
    query = select(ConsoleTicket).where(ConsoleTicket.ticket_hash == digest(_raw(text)))
    if for_update:
        query = query.with_for_update()
    ticket = db.session.scalar(query)
    if ticket is None:
        raise NotFound("这不是邻里电脑端的登录二维码", code="console_ticket_not_found")
    if ticket.confirmed_at is not None:
        raise Conflict("这个二维码已经用过了，请在电脑上刷新后再扫", code="console_ticket_used")
    if ticket.expires_at <= utcnow():
        raise Conflict("二维码已过期，请在电脑上刷新后再扫", code="console_ticket_expired")
    return ticket


def console_compounds(principal: Principal) -> list[dict]:
    """Compounds the caller may sign a computer into, with the role they act in there."""
    roles: dict[int, str] = {}
    for membership in principal.memberships:
        if membership.role in ("committee", "supervisor") and membership.compound_id:
            current = roles.get(membership.compound_id)
            if current != "committee":
                roles[membership.compound_id] = membership.role
    query = select(Compound).order_by(Compound.id)
    if not principal.is_admin:
        if not roles:
            return []
        query = query.where(Compound.id.in_(roles))
    else:
        query = query.where(Compound.archived_at.is_(None))
    return [
        {"id": c.id, "name": c.name, "role": roles.get(c.id, "admin")}
        for c in db.session.scalars(query)
    ]


def console_role(principal: Principal, compound: Compound) -> str | None:
    """The role the caller acts in at a computer signed in for `compound` (as
    `console_compounds` would list it), or None: one compound, not the whole district
    an admin may choose from (checked before every page)."""
    if principal.is_admin and compound.archived_at is not None:
        return None  # the admin signs into open compounds only
    roles = {m.role for m in principal.memberships if m.compound_id == compound.id}
    if "committee" in roles:
        return "committee"
    if "supervisor" in roles:
        return "supervisor"
    return "admin" if principal.is_admin else None


def _allowed(principal: Principal) -> list[dict]:
    compounds = console_compounds(principal)
    if not compounds:
        raise Forbidden(
            "只有业委会成员、财务监督和管理员可以登录电脑端", code="console_not_allowed"
        )
    return compounds


def describe(principal: Principal, text: str) -> dict:
    """What the phone shows before the member confirms."""
    compounds = _allowed(principal)
    ticket = _live(text)
    return {"browser": ticket.browser, "expires_at": ticket.expires_at, "compounds": compounds}


def confirm(principal: Principal, text: str, compound_id: int | None) -> dict:
    """The member confirms on the phone: the browser may now claim a session (commits)."""
    compounds = _allowed(principal)
    if compound_id is None and len(compounds) == 1:
        compound_id = compounds[0]["id"]
    chosen = next((c for c in compounds if c["id"] == compound_id), None)
    if chosen is None:
        raise Forbidden("你在这个小区没有可以登录电脑端的身份", code="console_not_allowed")
    ticket = _live(text, for_update=True)
    ticket.user_id = principal.id
    ticket.compound_id = chosen["id"]
    ticket.confirmed_at = utcnow()
    db.session.commit()
    return {"browser": ticket.browser, "compound": chosen}


def peek(ticket_text: str, browser_secret: str | None) -> str:
    """What the browser showing the ticket waits for: waiting, confirmed or expired."""
    ticket = db.session.scalar(
        select(ConsoleTicket).where(ConsoleTicket.ticket_hash == digest(_raw(ticket_text)))
    )
    if ticket is None or not browser_secret or ticket.claimed_at is not None:
        return "expired"
    if not secrets.compare_digest(ticket.browser_hash, digest(browser_secret)):
        return "expired"
    if ticket.confirmed_at is not None:
        return "confirmed"
    return "waiting" if ticket.expires_at > utcnow() else "expired"


def claim(ticket_text: str, browser_secret: str | None) -> ConsoleTicket | None:
    """The confirmed ticket for the browser holding its secret, marked claimed (once);
    None while it waits. Raises when it is gone, expired or not this browser's."""
    raw = _raw(ticket_text)
    ticket = db.session.scalar(
        select(ConsoleTicket).where(ConsoleTicket.ticket_hash == digest(raw))
    )
    if (
        ticket is None
        or not browser_secret
        or not secrets.compare_digest(ticket.browser_hash, digest(browser_secret))
    ):
        raise NotFound("登录二维码无效，请刷新页面", code="console_ticket_not_found")
    if ticket.claimed_at is not None:
        raise Conflict("这个二维码已经用过了，请刷新页面", code="console_ticket_used")
    if ticket.confirmed_at is None:
        if ticket.expires_at <= utcnow():
            raise Conflict("二维码已过期，请刷新页面", code="console_ticket_expired")
        return None
    if ticket.expires_at + timedelta(minutes=2) <= utcnow():
        raise Conflict("二维码已过期，请刷新页面", code="console_ticket_expired")
    # One claim: the row changes only if nobody claimed it in between.
    claimed = db.session.execute(
        update(ConsoleTicket)
        .where(ConsoleTicket.id == ticket.id, ConsoleTicket.claimed_at.is_(None))
        .values(claimed_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict("这个二维码已经用过了，请刷新页面", code="console_ticket_used")
    return ticket
