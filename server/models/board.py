"""The notice board (公示栏): the committee's announcements, who has opened the urgent
ones, and the monthly disclosure of the compound's money."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

AUDIENCES = ("compound", "building", "unit")
DISCLOSURE_STATUSES = ("draft", "signed", "objected", "published", "superseded")


class Announcement(Base):
    """A notice for the whole compound, one building or one unit. Urgent ones (water or
    gas cut, safety) are pushed to every household and land in every inbox."""

    __tablename__ = "announcements"
    __table_args__ = table_args(Index("ix_announcements_compound", "compound_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[str] = mapped_column(String(16), default="compound")
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    pinned_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AnnouncementRead(Base):
    """A person opened an announcement (their households count as reached)."""

    __tablename__ = "announcement_reads"
    __table_args__ = table_args(UniqueConstraint("announcement_id", "user_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disclosure(Base):
    """A month of a compound's money, frozen: the figures as computed from the ledger up
    to `ledger_seq` (whose hash is `ledger_head`). Never changed once frozen: a
    correction is a new version that says what changed."""

    __tablename__ = "disclosures"
    __table_args__ = table_args(UniqueConstraint("compound_id", "month", "version"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-12"
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    ledger_seq: Mapped[int] = mapped_column(BigId)
    ledger_head: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict] = mapped_column(JSON)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("disclosures.id"))
    changes: Mapped[str | None] = mapped_column(String(500))  # what a new version corrects
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objection: Mapped[str | None] = mapped_column(String(200))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
