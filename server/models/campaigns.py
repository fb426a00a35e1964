"""Screening sweeps (点单式排查): a checklist taken door to door across a scope."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

# 全覆盖排查 (disputes), 拉网式排查 (safety), 逐个式排查 (vulnerable households).
CAMPAIGN_TYPES = ("dispute", "safety", "vulnerable")
CAMPAIGN_STATUSES = ("open", "closed")


class Campaign(Base):
    """A sweep: its type, checklist (list of item texts), scope and deadline."""

    __tablename__ = "campaigns"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(60))
    checklist: Mapped[list] = mapped_column(JSON)
    # {"buildings": [ids], "units": [ids]}; both empty: the whole compound.
    scope: Mapped[dict] = mapped_column(JSON)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|closed
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CampaignUnit(Base):
    """A unit in a sweep's scope (fixed when it starts); escalated once when overdue."""

    __tablename__ = "campaign_units"
    __table_args__ = table_args(UniqueConstraint("campaign_id", "unit_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CampaignResult(Base):
    """What was found at one household: each item's result, a note, photos (as
    attachments "campaign_result"); "needs action" opened `issue_id`."""

    __tablename__ = "campaign_results"
    __table_args__ = table_args(UniqueConstraint("campaign_id", "household_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    # [{"item": text, "ok": bool, "note": text|None}]
    items: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    needs_action: Mapped[bool] = mapped_column(default=False)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
