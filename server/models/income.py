"""Public income (公共收益): the compound's assets let out, the contracts, the
instalments they make expected, and income received (counted when a second
committee member confirms it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

ASSET_KINDS = ("ad_space", "parking", "room", "other")
CONTRACT_CYCLES = ("monthly", "quarterly", "yearly", "once")
INCOME_KINDS = ("advertising", "parking", "rent", "donation", "other")
INCOME_STATUSES = ("pending", "confirmed", "rejected")
INCOME_METHODS = ("cash", "transfer", "wechat", "other")
# Where public income goes.
CO_CONSTRUCTION = "fund:co_construction"


class Asset(Base):
    """Something of the compound's that earns: an ad space, a parking space, a room."""

    __tablename__ = "assets"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IncomeContract(Base):
    """A contract that lets an asset: who pays, how much per cycle, for how long."""

    __tablename__ = "income_contracts"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"))
    counterparty: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # an INCOME_KINDS
    price_fen: Mapped[int]  # per cycle
    cycle: Mapped[str] = mapped_column(String(16))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # terminated early


class ContractInstalment(Base):
    """An expected payment of a contract; settled by a confirmed income record."""

    __tablename__ = "contract_instalments"
    __table_args__ = table_args(
        UniqueConstraint("contract_id", "due_on"),
        Index("ix_contract_instalments_compound_due", "compound_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("income_contracts.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    due_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int]
    income_id: Mapped[int | None] = mapped_column(ForeignKey("income_records.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncomeRecord(Base):
    """Public income received, recorded by one committee member; it counts (a ledger
    credit to the co-construction fund) once a second, different member confirms."""

    __tablename__ = "income_records"
    __table_args__ = table_args(Index("ix_income_records_compound_status", "compound_id", "status"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    fund: Mapped[str] = mapped_column(String(48), default=CO_CONSTRUCTION)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("income_contracts.id"))
    payer: Mapped[str | None] = mapped_column(String(100))  # a business, never a resident
    note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))  # why it was rejected
