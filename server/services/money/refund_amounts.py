"""How much of a WeChat payment may still be refunded: what WeChat Pay took, less what
is refunded and what is in flight (proposed, confirmed, processing); of an anomaly, what
it still owes back; without one, the fees the payment settled.

Deciding (`locking=True`, the payment row locked first): the sums are locking reads,
which see every refund committed up to now. MariaDB's plain reads see the snapshot the
transaction took at its first read, before it waited for the payment lock: two members
proposing at once would each miss the other's refund and promise more than was paid.
"""

from __future__ import annotations

from sqlalchemy import func, select

from server.extensions import db
from server.models import Bill, Payment, PaymentAnomaly, PaymentBill, Refund
from server.models.payments import REFUND_IN_FLIGHT
from server.services.money import anomalies, settlement

IN_FLIGHT = REFUND_IN_FLIGHT
REFUNDABLE_PAYMENTS = ("paid", "disputed")


def _read(query, locking: bool):
    return db.session.scalar(query.with_for_update(read=True) if locking else query)


def paid_fen(payment: Payment, locking: bool = False) -> int:
    """What WeChat Pay took for the order (for a disputed one, what it said it took)."""
    if payment.status != "disputed":
        return payment.total_fen
    details = _read(
        select(PaymentAnomaly.details).where(
            PaymentAnomaly.payment_id == payment.id, PaymentAnomaly.kind == "amount_disputed"
        ),
        locking,
    )
    received = (details or {}).get("received")
    return received if isinstance(received, int) else payment.total_fen


def in_flight_fen(
    payment_id: int, *, anomaly_id=None, but: int | None = None, locking: bool = False
) -> int:
    """Refunds of a payment (of one anomaly, if given) not ended yet, but one."""
    query = select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment_id, Refund.status.in_(IN_FLIGHT)
    )
    if anomaly_id is not None:
        query = query.where(Refund.anomaly_id == anomaly_id)
    if but is not None:
        query = query.where(Refund.id != but)
    return int(_read(query, locking))


def refundable_fen(
    payment: Payment,
    anomaly: PaymentAnomaly | None,
    but: int | None = None,
    *,
    locking: bool = False,
) -> int:
    """What may still be refunded: of the payment, and of the anomaly's money owed back.
    `locking`: deciding, with the payment (and the anomaly) locked."""
    flying = in_flight_fen(payment.id, but=but, locking=locking)
    left = paid_fen(payment, locking) - payment.refunded_fen - flying
    if anomaly is not None:
        owed = anomalies.refund_left(anomaly) - in_flight_fen(
            payment.id, anomaly_id=anomaly.id, but=but, locking=locking
        )
        left = min(left, owed)
    else:
        left = min(left, fees_left(payment, but, locking=locking))
    return max(left, 0)


def fees_left(payment: Payment, but: int | None = None, *, locking: bool = False) -> int:
    """Fees the payment settled (its bills it holds paid; a share booked to the refund
    suspense account is an anomaly's) that no refund, done or under way, gave back."""
    settled = _read(
        select(func.coalesce(func.sum(PaymentBill.amount_fen), 0))
        .join(Bill, Bill.id == PaymentBill.bill_id)
        .where(
            PaymentBill.payment_id == payment.id,
            Bill.status == "paid",
            Bill.held_by == settlement.holder(payment),
        ),
        locking,
    )
    query = select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment.id,
        Refund.anomaly_id.is_(None),
        Refund.status.in_((*IN_FLIGHT, "success")),
    )
    if but is not None:
        query = query.where(Refund.id != but)
    return int(settled) - int(_read(query, locking))
