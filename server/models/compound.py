"""The tenant tree: compound → building → unit (stairwell) → household."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.clock import utcnow
from server.models.base import Base, BigId, Fixed, UTCDateTime, table_args

OCCUPANCIES = ("occupied", "vacant")
TENURES = ("owner", "rented")


class Compound(Base):
    """A residential compound (小区): the tenant boundary."""

    __tablename__ = "compounds"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(50))  # 区
    street: Mapped[str | None] = mapped_column(String(50))  # 街道
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived: read-only; nothing is deleted.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # An expense above this (fen) also needs the large-expense rule (spending.py).
    expense_threshold_fen: Mapped[int] = mapped_column(default=200000, server_default="200000")
    large_expense_rule: Mapped[str] = mapped_column(
        String(16), default="second_member", server_default="second_member"
    )
    # Owners' decisions: the shortest public notice of a proposal (days) this compound allows.
    min_notice_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # The census: days a moved-out household's members are kept before anonymisation,
    # and the days a care visit may be late before it escalates.
    census_retention_days: Mapped[int] = mapped_column(default=180, server_default="180")
    care_grace_days: Mapped[int] = mapped_column(default=2, server_default="2")
    # The WeChat Pay merchant its fees are paid to (server/config_pay.py); None: the
    # installation's default merchant.
    pay_merchant: Mapped[str | None] = mapped_column(String(32))

    buildings: Mapped[list[Building]] = relationship(
        back_populates="compound", order_by="Building.number"
    )


class Building(Base):
    """A building (楼栋), numbered 1..n within its compound."""

    __tablename__ = "buildings"
    __table_args__ = table_args(UniqueConstraint("compound_id", "number"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    number: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(50))

    compound: Mapped[Compound] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building", order_by="Unit.number")

    @property
    def label(self) -> str:
        return str(self.number)


class Unit(Base):
    """A stairwell entrance (单元) of a building, not a flat."""

    __tablename__ = "units"
    __table_args__ = table_args(UniqueConstraint("building_id", "number"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    number: Mapped[int]

    building: Mapped[Building] = relationship(back_populates="units")
    households: Mapped[list[Household]] = relationship(
        back_populates="unit", order_by="Household.floor, Household.room"
    )

    @property
    def label(self) -> str:
        return f"{self.building.number}-{self.number}"


class Household(Base):
    """A flat (户): room number like 301 (floor × 100 + door) and its floor area."""

    __tablename__ = "households"
    __table_args__ = table_args(UniqueConstraint("unit_id", "room"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    room: Mapped[str] = mapped_column(String(10))
    floor: Mapped[int]
    area_m2: Mapped[Decimal] = mapped_column(Fixed(10, 2))
    occupancy: Mapped[str] = mapped_column(String(16), default="occupied")
    # From the roster: "owner" (自住) or "rented" (出租); None when not known or vacant.
    tenure: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))  # the roster's 备注
    # The roster's 产权人编号: flats with the same key belong to one owner (one head in
    # owners' decisions however many flats they hold). None: not known.
    owner_key: Mapped[str | None] = mapped_column(String(32))

    unit: Mapped[Unit] = relationship(back_populates="households")

    @property
    def label(self) -> str:
        return f"{self.unit.label}-{self.room}"
