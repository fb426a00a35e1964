"""Orders still pending, checked with WeChat Pay (the `reconcile_payments` and
`close_cancelled_payments` jobs, `flask payments reconcile`): those whose notification
was lost are credited, expired or cancelled unpaid ones closed, at WeChat Pay first.
The day's comparison, per compound, is `reconciliation`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import Payment
from server.services.money import merchants, settlement
from server.services.money.reconciliation import settle_mismatch
from server.wechat import (
    CLOSE_AFTER,
    PayRejected,
    WeChatUnavailable,
)

log = logging.getLogger(__name__)
BATCH = 500
# Trade states after which an order can never be paid (REFUND: paid, then refunded
# at the merchant platform): close it on our side too.
FINAL_UNPAID = {"CLOSED", "REVOKED", "REFUND"}
# Not paid (yet): once the order expired, close it at WeChat first, then here.
OPEN_UNPAID = {"NOTPAY", "PAYERROR"}


@dataclass
class Reconciled:
    checked: int = 0
    credited: int = 0
    closed: int = 0
    differences: list[str] = field(default_factory=list)


def reconcile(*, min_age: int = 300, now=None, cancelled_only=False) -> Reconciled:
    """Ask WeChat Pay about orders still pending after `min_age` seconds (or only those
    someone cancelled): credit the paid ones (their notification was lost), close the
    expired or cancelled unpaid ones (only after a query says so, and never before WeChat
    Pay allows). One order's trouble never stops the others; WeChat being down stops the
    round (the next one tries again)."""
    result = Reconciled()
    now = now or utcnow()
    query = select(Payment.id).where(
        Payment.status == "pending", Payment.created_at <= now - timedelta(seconds=min_age)
    )
    if cancelled_only:
        query = query.where(Payment.cancel_requested_at.is_not(None))
    pending = db.session.scalars(query.order_by(Payment.id).limit(BATCH)).all()
    db.session.commit()
    for payment_id in pending:
        result.checked += 1
        try:
            _reconcile_one(payment_id, now, result)
        except WeChatUnavailable:
            db.session.rollback()
            result.differences.append(f"payment {payment_id}: WeChat Pay unavailable")
            break
        except PayRejected as error:
            db.session.rollback()
            result.differences.append(f"payment {payment_id}: WeChat Pay said {error}")
        except Exception:  # one broken order must not hide the rest
            db.session.rollback()
            log.exception("reconciling payment %s failed", payment_id)
            result.differences.append(f"payment {payment_id}: could not be reconciled")
    return result


def close_cancelled(now=None) -> Reconciled:
    """Orders their payer or a collector cancelled: closed at WeChat Pay, then here, as
    soon as WeChat Pay allows (`CLOSE_AFTER` after they were made)."""
    return reconcile(min_age=int(CLOSE_AFTER.total_seconds()), now=now, cancelled_only=True)


def _reconcile_one(payment_id: int, now, result: Reconciled) -> None:
    payment = db.session.get(Payment, payment_id)
    out_trade_no, gateway = payment.out_trade_no, merchants.for_payment(payment)
    db.session.commit()
    if gateway is None:  # its merchant is no longer configured: nobody can ask
        result.differences.append(f"{out_trade_no}: merchant {payment.merchant} not configured")
        return
    state = gateway.query_order(out_trade_no)  # no lock held while WeChat answers
    payment = settlement.locked_payment(out_trade_no)
    if payment.status != "pending":
        db.session.rollback()
        return
    if settle_mismatch(payment, state, now):
        result.differences.append(f"{out_trade_no}: mismatched notification, no money; settled")
    # A cancelled order is closed like an expired one, once WeChat Pay lets us.
    expired = now >= payment.expires_at or payment.cancel_requested_at is not None
    if state.trade_state == "SUCCESS":
        outcome = settlement.settle_paid(
            payment, state.transaction_id, state.total_fen, via="reconcile"
        )
        if outcome == "credited":
            result.credited += 1
            result.differences.append(f"{out_trade_no}: paid but not notified; credited")
        elif outcome == "duplicate" and expired:
            settlement.give_up(payment)  # its bills must not wait for ever
            result.differences.append(f"{out_trade_no}: transaction id of another order")
        else:
            result.differences.append(f"{out_trade_no}: paid, {outcome}")
    elif state.trade_state in FINAL_UNPAID or (state.trade_state == "NOT_FOUND" and expired):
        settlement.close(payment, now, reason=state.trade_state)
        result.closed += 1
        if state.trade_state == "REFUND":
            result.differences.append(f"{out_trade_no}: refunded at WeChat Pay; closed")
    elif state.trade_state in OPEN_UNPAID and expired and now >= payment.created_at + CLOSE_AFTER:
        db.session.commit()  # release the row while WeChat closes the order
        outcome = gateway.close_order(out_trade_no)
        payment = settlement.locked_payment(out_trade_no)
        if outcome == "paid":  # paid in the last moment: the next round credits it
            result.differences.append(f"{out_trade_no}: paid while closing")
        elif payment.status == "pending":
            settlement.close(payment, now, reason=f"expired, {state.trade_state}")
            result.closed += 1
    # USERPAYING (the resident is entering a password) and the unexpired: ask again later.
    db.session.commit()
