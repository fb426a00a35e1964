"""Money going out of a compound's funds: expenses a committee member proposes, the
finance supervisor approves or objects to, and another member records as paid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

EXPENSE_CATEGORIES = (
    "repair",
    "cleaning",
    "electricity",
    "greening",
    "activities",
    "office",
    "other",
)
EXPENSE_STATUSES = ("proposed", "objected", "approved", "paid", "withdrawn")
PAY_METHODS = ("cash", "transfer", "wechat", "other")
# Large expenses: what stands in until owners' decisions exist ("second_member": a
# second committee member confirms) or is required ("owners_decision").
LARGE_EXPENSE_RULES = ("second_member", "owners_decision")
EXPENSE_ACTIONS = (
    "propose",
    "change",
    "object",
    "approve",
    "confirm",
    "withdraw",
    "pay",
    "reverse",
)


class Expense(Base):
    """One expense from a fund. A paid expense is never edited: a mistake is reversed
    (`reversed_at`, a crediting ledger entry) with a reason."""

    __tablename__ = "expenses"
    __table_args__ = table_args(
        Index("ix_expenses_compound_status", "compound_id", "status"),
        Index("ix_expenses_compound_list", "compound_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    fund: Mapped[str] = mapped_column(String(48))  # a ledger account, "fee:self_governance"
    amount_fen: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(200))
    payee: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    version: Mapped[int] = mapped_column(default=1)  # each change asks for a new approval
    # Above the compound's threshold: also needs the large-expense rule's confirmation.
    large: Mapped[bool] = mapped_column(default=False)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    objected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objection: Mapped[str | None] = mapped_column(String(200))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_on: Mapped[date | None] = mapped_column(Date)
    pay_method: Mapped[str | None] = mapped_column(String(16))
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(String(200))


class ExpenseEvent(Base):
    """One step of an expense's history: who proposed, changed, objected, approved..."""

    __tablename__ = "expense_events"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    expense_id: Mapped[int] = mapped_column(ForeignKey("expenses.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict | None] = mapped_column(JSON)  # a change's old and new values
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
