"""Payments: online (WeChat Pay) and offline (cash, transfer), and what went wrong."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args
from server.models.compound import Household

# "disputed": WeChat Pay took an amount other than the order's; its bills were freed
# and the money waits in the refund suspense account for the committee.
PAYMENT_STATUSES = ("pending", "paid", "closed", "disputed")
OFFLINE_METHODS = ("cash", "transfer", "other")
OFFLINE_STATUSES = ("pending", "confirmed", "rejected")
# What went wrong with a payment (`PaymentAnomaly.kind`): see settlement, meter_voids.
ANOMALY_KINDS = (
    "amount_mismatch",
    "amount_disputed",
    "double_payment",
    "duplicate_transaction",
    "reading_voided",
    # The daily statement (statements.py): a trade WeChat Pay has that we lack, one we
    # have that it lacks, or an amount that differs; and a refund WeChat Pay ended badly.
    "statement_missing_here",
    "statement_missing_there",
    "statement_amount",
    "statement_refund",
    "refund_abnormal",
)
# A refund through WeChat Pay (`Refund.status`): proposed by one committee member,
# confirmed by a second (or rejected), sent, then as WeChat Pay says it ended.
REFUND_STATUSES = (
    "proposed",
    "rejected",
    "confirmed",
    "processing",
    "success",
    "closed",
    "abnormal",
    "failed",
)
# Refunds whose money may still go back (counted against what is left to refund).
REFUND_IN_FLIGHT = ("proposed", "confirmed", "processing")


class Payment(Base):
    """One WeChat Pay order for one or more bills of one household.

    `out_trade_no` is ours and unique; `transaction_id` is WeChat's and unique, so a
    notification can credit an order once.
    """

    __tablename__ = "payments"
    __table_args__ = table_args(Index("ix_payments_status_created", "status", "created_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    total_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    prepay_id: Mapped[str | None] = mapped_column(String(64))
    transaction_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credited_by: Mapped[str | None] = mapped_column(String(16))  # "notify" or "reconcile"
    # Cancelled by the payer or a collector: closed at WeChat Pay, then here, as soon as
    # WeChat Pay allows (5 minutes after creation); its bills stay held until then.
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The merchant (server/config_pay.py) the order was made with; None: "default".
    merchant: Mapped[str | None] = mapped_column(String(32))
    # WeChat Pay's service fee, as its daily statement says (None until it is read).
    fee_fen: Mapped[int | None]
    # Refunded through WeChat Pay so far (successful refunds only).
    refunded_fen: Mapped[int] = mapped_column(default=0, server_default="0")


class PaymentBill(Base):
    """Which bills an online payment covers (history kept when an order is closed)."""

    __tablename__ = "payment_bills"
    __table_args__ = table_args(UniqueConstraint("payment_id", "bill_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    amount_fen: Mapped[int]


class OfflinePayment(Base):
    """Cash or a transfer, recorded by one volunteer, confirmed by a second committee member."""

    __tablename__ = "offline_payments"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    paid_on: Mapped[date] = mapped_column(Date)
    receipt_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household] = relationship()


class OfflinePaymentBill(Base):
    __tablename__ = "offline_payment_bills"
    __table_args__ = table_args(UniqueConstraint("offline_payment_id", "bill_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    offline_payment_id: Mapped[int] = mapped_column(ForeignKey("offline_payments.id"))
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    amount_fen: Mapped[int]


class PaymentAnomaly(Base):
    """Something about money the committee must look at (e.g. an amount mismatch).

    One per order and kind (about a refund: per refund, `refund_no`), however often
    WeChat repeats itself. `details` may carry
    `refund_due_fen`: money received that settled no bill, booked to the refund
    suspense account until the committee records the refund when resolving it.
    """

    __tablename__ = "payment_anomalies"
    __table_args__ = table_args(UniqueConstraint("payment_id", "kind", "refund_no"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # The refund's out_refund_no for an anomaly about one refund; "" otherwise.
    refund_no: Mapped[str] = mapped_column(String(64), default="", server_default="")
    details: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(200))
    refunded_fen: Mapped[int | None]


class ReconciliationReport(Base):
    """One compound's day compared with WeChat Pay: every difference, for its committee."""

    __tablename__ = "reconciliation_reports"
    __table_args__ = table_args(UniqueConstraint("compound_id", "day"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON)
    differences: Mapped[str | None] = mapped_column(Text)


class Refund(Base):
    """Money given back to a payer through WeChat Pay, whole or part of one payment.

    Two people: proposed by one committee member with a reason, sent only once a
    second one confirms. `out_refund_no` is ours and unique (WeChat Pay makes one
    refund of it however often it is sent); the ledger moves when WeChat Pay says
    SUCCESS, never before. `anomaly_id`: the anomaly whose money owed back it returns
    (booked from the refund suspense account); none: a refund of fees paid.
    """

    __tablename__ = "refunds"
    __table_args__ = table_args(Index("ix_refunds_status", "status"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    anomaly_id: Mapped[int | None] = mapped_column(ForeignKey("payment_anomalies.id"))
    merchant: Mapped[str | None] = mapped_column(String(32))
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # WeChat Pay's
    amount_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by: Mapped[str | None] = mapped_column(String(64))  # e.g. 支付用户零钱
    error: Mapped[str | None] = mapped_column(String(200))


class PayStatement(Base):
    """WeChat Pay's daily trade statement for one merchant and day, as read and
    compared: its totals, and every difference with our books (each also an anomaly
    of the compound it concerns)."""

    __tablename__ = "pay_statements"
    __table_args__ = table_args(UniqueConstraint("merchant", "day"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merchant: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    # "compared", "not_ready" (no statement yet), "unreadable", "unavailable"
    status: Mapped[str] = mapped_column(String(16))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    line_count: Mapped[int] = mapped_column(default=0)
    settled_fen: Mapped[int] = mapped_column(default=0)
    refund_fen: Mapped[int] = mapped_column(default=0)
    fee_fen: Mapped[int] = mapped_column(default=0)
    differences: Mapped[list] = mapped_column(JSON, default=list)
