"""Messages: the in-app inbox, the outbox of WeChat pushes, subscription quotas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

CHANNELS = ("subscribe", "template")
OUTBOX_STATUSES = ("pending", "sending", "sent", "skipped", "failed", "unknown", "expired")


class Notification(Base):
    """A line in a user's in-app inbox. Every message goes here, pushed or not."""

    __tablename__ = "notifications"
    __table_args__ = table_args(Index("ix_notifications_user_read", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # (occasion, recipient): delivering the same occasion again adds nothing.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(String(500))
    page: Mapped[str | None] = mapped_column(String(200))
    issue_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A WeChat push waiting to be sent, enqueued in the transaction of its event.

    `dedupe_key` (event × recipient × channel) is unique: an event can never enqueue
    the same message twice. The dispatcher moves pending → sending → sent/skipped/
    failed, retrying with backoff on outages.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = table_args(Index("ix_outbox_status_next", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubscriptionQuota(Base):
    """How many one-time subscribe messages a user granted for a template."""

    __tablename__ = "subscription_quotas"
    __table_args__ = table_args(UniqueConstraint("user_id", "template_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    template_id: Mapped[str] = mapped_column(String(64))
    remaining: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
