"""Reconciling with WeChat Pay: orders whose notification was lost are credited,
expired unpaid ones closed, and a daily report lists every difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import Payment, ReconciliationReport, utcnow
from server.models.base import SHANGHAI
from server.services import settlement
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import PaymentGateway, PayRejected


@dataclass
class Reconciled:
    checked: int = 0
    credited: int = 0
    closed: int = 0
    differences: list[str] = field(default_factory=list)


def reconcile(gateway: PaymentGateway | None, *, min_age: int = 300, now=None) -> Reconciled:
    """Ask WeChat Pay about orders still pending after `min_age` seconds: credit the
    paid ones (their notification was lost), close the expired unpaid ones (only
    after a query says NOTPAY). Returns what it found; never raises for WeChat."""
    result = Reconciled()
    if gateway is None:
        return result
    now = now or utcnow()
    pending = db.session.scalars(
        select(Payment.id)
        .where(Payment.status == "pending", Payment.created_at <= now - timedelta(seconds=min_age))
        .order_by(Payment.id)
        .limit(500)
    ).all()
    db.session.commit()
    for payment_id in pending:
        result.checked += 1
        try:
            _reconcile_one(gateway, payment_id, now, result)
        except (WeChatUnavailable, PayRejected) as error:
            db.session.rollback()
            result.differences.append(f"payment {payment_id}: WeChat Pay said {error}")
            if isinstance(error, WeChatUnavailable):
                break
    return result


def _reconcile_one(gateway: PaymentGateway, payment_id: int, now, result: Reconciled) -> None:
    payment = db.session.get(Payment, payment_id)
    state = gateway.query_order(payment.out_trade_no)  # no lock held while WeChat answers
    db.session.commit()
    payment = settlement.locked_payment(payment.out_trade_no)
    if payment.status != "pending":
        db.session.rollback()
        return
    if state.trade_state == "SUCCESS":
        if state.total_fen != payment.total_fen:
            settlement.anomaly(
                payment, "amount_mismatch", expected=payment.total_fen, queried=state.total_fen
            )
            result.differences.append(
                f"{payment.out_trade_no}: paid {state.total_fen}, expected {payment.total_fen}"
            )
        else:
            settlement.credit(payment, state.transaction_id, via="reconcile")
            result.credited += 1
            result.differences.append(f"{payment.out_trade_no}: paid but not notified; credited")
    elif state.trade_state in {"CLOSED", "REVOKED", "PAYERROR"} or (
        state.trade_state == "NOT_FOUND" and now >= payment.expires_at
    ):
        settlement.close(payment, now, reason=state.trade_state)
        result.closed += 1
    elif state.trade_state == "NOTPAY" and now >= payment.expires_at:
        db.session.commit()  # release the row while WeChat closes the order
        outcome = gateway.close_order(payment.out_trade_no)
        payment = settlement.locked_payment(payment.out_trade_no)
        if outcome == "paid":  # paid in the last moment: the next round credits it
            result.differences.append(f"{payment.out_trade_no}: paid while closing")
        elif payment.status == "pending":
            settlement.close(payment, now, reason="expired unpaid")
            result.closed += 1
    db.session.commit()


def daily_report(gateway: PaymentGateway | None, day=None) -> ReconciliationReport | None:
    """Compare every order of a day (Asia/Shanghai; default yesterday) with what WeChat
    Pay says of it, and keep the list of differences for the committee."""
    if gateway is None:
        return None
    day = day or (utcnow().astimezone(SHANGHAI) - timedelta(days=1)).date()
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    orders = db.session.scalars(
        select(Payment).where(
            Payment.created_at >= start, Payment.created_at < start + timedelta(days=1)
        )
    ).all()
    db.session.commit()
    differences, counts = [], {"orders": len(orders), "paid": 0, "closed": 0, "pending": 0}
    for payment in orders:
        counts[payment.status] = counts.get(payment.status, 0) + 1
        try:
            state = gateway.query_order(payment.out_trade_no)
        except (WeChatUnavailable, PayRejected) as error:
            differences.append(f"{payment.out_trade_no}: not checked ({error})")
            continue
        difference = _difference(payment, state)
        if difference:
            differences.append(f"{payment.out_trade_no}: {difference}")
    report = ReconciliationReport(
        summary={"day": day.isoformat(), **counts, "differences": len(differences)},
        differences="\n".join(differences) or None,
    )
    db.session.add(report)
    db.session.commit()
    return report


def _difference(payment: Payment, state) -> str | None:
    wechat_paid = state.trade_state == "SUCCESS"
    if payment.status == "paid" and not wechat_paid:
        return f"we have it paid, WeChat Pay says {state.trade_state}"
    if payment.status != "paid" and wechat_paid:
        return f"WeChat Pay says paid, we have it {payment.status}"
    if wechat_paid and state.total_fen != payment.total_fen:
        return f"amounts differ: ours {payment.total_fen}, WeChat Pay's {state.total_fen}"
    if wechat_paid and payment.transaction_id and state.transaction_id != payment.transaction_id:
        return "transaction ids differ"
    return None
