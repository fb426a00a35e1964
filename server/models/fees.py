"""Fee items a compound's owners agreed on (rates as Decimal, money in fen)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigId, Fixed, table_args

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
