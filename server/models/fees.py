"""Fees: the items owners agreed on, meter readings, and the bills (money in fen)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.clock import utcnow
from server.models.base import Base, BigId, Fixed, UTCDateTime, table_args
from server.models.compound import Unit

FEE_KINDS = ("per_area", "shared_meter")
CYCLES = ("monthly", "quarterly", "yearly")
VACANT_RULES = ("charge", "exempt")


class FeeItem(Base):
    """A fee the owners agreed on, e.g. 自治管理费 at 0.35 yuan per m² per month."""

    __tablename__ = "fee_items"
    __table_args__ = table_args(UniqueConstraint("compound_id", "code"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))
    # Yuan per m² per month for per-area items; unused for shared meters.
    rate: Mapped[Decimal | None] = mapped_column(Fixed(10, 4))
    cycle: Mapped[str] = mapped_column(String(16), default="monthly")
    vacant_rule: Mapped[str] = mapped_column(String(16), default="charge")
    active: Mapped[bool] = mapped_column(default=True)


# "cancelled": its meter reading was voided; kept for the record, owed by nobody (if it
# had been paid, the money went to the refund suspense account).
BILL_STATUSES = ("unpaid", "pending", "paid", "cancelled")
# A reading makes bills only once a second person confirms it; a wrong one is voided.
READING_STATUSES = ("pending", "confirmed", "rejected", "voided")


class MeterReading(Base):
    """A unit's stairwell electricity bill for one month, to be split over its households
    once a committee member other than the recorder confirms it.

    One standing reading per unit and month: `void_key` is 0 while it stands (pending or
    confirmed) and its own id once rejected or voided, which frees the month for a new one.
    """

    __tablename__ = "meter_readings"
    __table_args__ = table_args(UniqueConstraint("unit_id", "fee_item_id", "period", "void_key"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_items.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Set when the amount is far above the unit's recent readings: what it was compared
    # with, shown to the confirmer, who must acknowledge it.
    flag: Mapped[dict | None] = mapped_column(JSON)
    void_key: Mapped[int] = mapped_column(BigId, default=0, server_default="0")

    unit: Mapped[Unit] = relationship()


class Bill(Base):
    """What one household owes for one fee item and one period, in integer fen.

    (household, fee item, period) is unique among standing bills: generating bills twice
    creates nothing. `status` is "pending" while the bill is in an open payment (online
    or offline). A cancelled bill's `void_key` is its own id (0 otherwise), so a
    corrected reading can bill the same household and month again.
    """

    __tablename__ = "bills"
    __table_args__ = table_args(
        UniqueConstraint("household_id", "fee_item_id", "period", "void_key"),
        Index("ix_bills_compound_period_status", "compound_id", "period", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_items.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int]
    # How the amount came about, kept with the bill (rates and areas change later).
    basis: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="unpaid")
    # Which payment holds the bill while "pending" and, once "paid", which paid it:
    # "payment:<id>" (WeChat Pay) or "offline:<id>". Only the holder may settle or free it.
    held_by: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_key: Mapped[int] = mapped_column(BigId, default=0, server_default="0")

    fee_item: Mapped[FeeItem] = relationship()
