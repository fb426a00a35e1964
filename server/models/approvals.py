"""Changes of money that count only once a second, different committee member confirms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

# What is proposed, and what `subject_id` names:
#   meter_reading  a unit's electricity for a month (a MeterReading): bills on confirming
#   meter_void     voiding a confirmed reading (a MeterReading): its bills are cancelled
#   fee_change     a fee item's rate, cycle, vacant rule or active flag (a FeeItem)
#   refund         a refund made on a payment anomaly (a PaymentAnomaly)
#   roster_change  flats' floor areas or occupancy changed by a roster re-import (a
#                  RosterImport): they count from the next bill period on confirming
APPROVAL_KINDS = (
    "meter_reading",
    "meter_void",
    "fee_change",
    "refund",
    "roster_change",
    "wechat_refund",
)
APPROVAL_STATUSES = ("pending", "confirmed", "rejected")


class Approval(Base):
    """One proposed change of what residents owe or get back, and its decision.

    One open proposal per subject and kind: `open_key` is 0 while pending and the row's
    own id once decided (the unique key decides between two proposals at once).
    """

    __tablename__ = "approvals"
    __table_args__ = table_args(
        UniqueConstraint("kind", "subject_id", "open_key"),
        Index("ix_approvals_compound_status", "compound_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigId)
    # One line in Chinese, as both people read it: "1-2单元 2026年12月公用电费 4.50 元".
    summary: Mapped[str] = mapped_column(String(200))
    # What exactly is proposed (amounts, old and new values, the flag), per kind.
    details: Mapped[dict] = mapped_column(JSON)
    # The first bill period the change affects ("2027-01", "2027Q1"), when there is one.
    effective_period: Mapped[str | None] = mapped_column(String(7))
    note: Mapped[str | None] = mapped_column(String(200))  # the proposer's why
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))  # why it was rejected
    open_key: Mapped[int] = mapped_column(BigId, default=0, server_default="0")
