"""Refunds as the committee, the supervisor and the payer read them."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Payment, PaymentAnomaly, Refund
from server.services.money import approvals, merchants, receipts
from server.services.money.refund_amounts import (
    REFUNDABLE_PAYMENTS,
    in_flight_fen,
    paid_fen,
    refundable_fen,
)
from server.services.people import compounds, users
from server.services.people.access import Principal

KIND = "wechat_refund"


def refundable(principal: Principal, code: str, payment_id: int) -> dict:
    """How much of a payment may still be refunded (committee, supervisor).
    Raises NotFound, Forbidden."""
    compound = _readable(principal, code)
    payment = db.session.scalars(
        select(Payment).where(Payment.id == payment_id, Payment.compound_id == compound.id)
    ).first()
    if payment is None:
        raise NotFound("找不到该缴费记录", code="payment_not_found")
    paid = paid_fen(payment) if payment.status in REFUNDABLE_PAYMENTS else 0
    in_flight = in_flight_fen(payment.id)
    gateway = merchants.for_payment(payment)
    return {
        "payment_id": payment.id,
        "out_trade_no": payment.out_trade_no,
        "household": receipts.household_label(payment.household_id),
        "paid_fen": paid,
        "refunded_fen": payment.refunded_fen,
        "in_flight_fen": in_flight,
        "refundable_fen": _refundable_now(payment),
        "merchant_version": gateway.version if gateway else None,
    }


def _refundable_now(payment: Payment) -> int:
    """What one more refund may give back without naming an anomaly (a disputed
    payment's is its anomaly's money owed back)."""
    if payment.status not in REFUNDABLE_PAYMENTS or not payment.transaction_id:
        return 0
    anomaly = None
    if payment.status == "disputed":
        anomaly = db.session.scalars(
            select(PaymentAnomaly).where(
                PaymentAnomaly.payment_id == payment.id, PaymentAnomaly.kind == "amount_disputed"
            )
        ).first()
        if anomaly is None:
            return 0
    return refundable_fen(payment, anomaly)


def _readable(principal: Principal, code: str):
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    return compound


def refunds_for(
    principal: Principal, code: str, status: str | None = None, payment_id: int | None = None
) -> list[dict]:
    """A compound's refunds, newest first (committee, supervisor). Raises NotFound,
    Forbidden."""
    compound = _readable(principal, code)
    query = select(Refund).where(Refund.compound_id == compound.id)
    if status:
        query = query.where(Refund.status == status)
    if payment_id is not None:
        query = query.where(Refund.payment_id == payment_id)
    return present(list(db.session.scalars(query.order_by(Refund.id.desc()).limit(200))))


def refund_for(principal: Principal, code: str, refund_id: int) -> dict:
    """One refund of the compound (committee, supervisor). Raises NotFound, Forbidden."""
    compound = _readable(principal, code)
    refund = db.session.scalars(
        select(Refund).where(Refund.id == refund_id, Refund.compound_id == compound.id)
    ).first()
    if refund is None:
        raise NotFound("找不到该退款记录", code="refund_not_found")
    return present([refund])[0]


def present(rows: list[Refund]) -> list[dict]:
    """Refunds as the committee reads them: the flat, who proposed and confirmed, the
    proposal still waiting (its id), never the payer's openid."""
    if not rows:
        return []
    payments = {
        p.id: p
        for p in db.session.scalars(
            select(Payment).where(Payment.id.in_({r.payment_id for r in rows}))
        )
    }
    labels = dict(
        db.session.execute(
            select(Payment.id, receipts.household_label_column(Payment.household_id)).where(
                Payment.id.in_(payments)
            )
        ).all()
    )
    people = users.names_in(
        rows[0].compound_id, {r.proposed_by_id for r in rows} | {r.confirmed_by_id for r in rows}
    )
    waiting = approvals.open_for(KIND, [r.id for r in rows])
    return [
        {
            **{c: getattr(r, c) for c in _COLUMNS},
            "out_trade_no": payments[r.payment_id].out_trade_no,
            "household": labels[r.payment_id],
            "pending_change_id": waiting[r.id].id if r.id in waiting else None,
            "proposed_by": people.get(r.proposed_by_id, ""),
            "confirmed_by": people.get(r.confirmed_by_id) if r.confirmed_by_id else None,
        }
        for r in rows
    ]


_COLUMNS = (
    "id",
    "payment_id",
    "amount_fen",
    "reason",
    "status",
    "anomaly_id",
    "created_at",
    "confirmed_at",
    "sent_at",
    "settled_at",
    "received_by",
    "error",
)


def refunds_of_payment(payment: Payment) -> list[Refund]:
    """A payment's refunds its payer is told of: those a second member confirmed (as
    `with_payer_refunds` read them for a list, or read now)."""
    kept = getattr(payment, "payer_refunds", None)
    if kept is not None:
        return kept
    return with_payer_refunds([payment])[0].payer_refunds


def with_payer_refunds(payments: list[Payment]) -> list[Payment]:
    """The payments, each with its refunds its payer is told of (`payer_refunds`), read
    in one statement for them all."""
    found: dict[int, list[Refund]] = {p.id: [] for p in payments}
    if found:
        for refund in db.session.scalars(
            select(Refund)
            .where(Refund.payment_id.in_(found), Refund.status.not_in(("proposed", "rejected")))
            .order_by(Refund.id)
        ):
            found[refund.payment_id].append(refund)
    for payment in payments:
        payment.payer_refunds = found[payment.id]
    return payments
