"""The committee's desk (电脑端): a QR ticket the phone confirms, and the browser sessions
it starts. Only hashes of the ticket, the browser's secret and the session are kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args


class ConsoleTicket(Base):
    """One QR code shown on a computer: short-lived, confirmed once from the phone, then
    claimed once by the browser that holds its secret."""

    __tablename__ = "console_tickets"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # sha256 of what the QR code carries, and of the secret cookie of the browser showing it
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    browser: Mapped[str] = mapped_column(String(60))  # "Chrome · Windows": what the phone shows
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(Base):
    """A signed-in browser: one person at one compound, until it idles out, reaches its
    end, or is signed out (from the browser or, everywhere at once, from the phone)."""

    __tablename__ = "console_sessions"
    __table_args__ = table_args(Index("ix_console_sessions_user", "user_id", "revoked_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    browser: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed_out | signed_out_everywhere | idle | role_ended
    ended_reason: Mapped[str | None] = mapped_column(String(24))
