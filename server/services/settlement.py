"""Settling WeChat Pay orders: the exactly-once notification, crediting, closing.

Exactly once: the notification locks the order row, the conditional change
pending → paid happens once, and WeChat's transaction_id is unique; repeated
notifications find the order paid and are answered SUCCESS again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from server.extensions import db
from server.models import Bill, FeeItem, Payment, PaymentAnomaly, PaymentBill, utcnow
from server.services import ledger, notify
from server.services.messages import Message
from server.wechat.pay import InvalidNotification, PaymentGateway, acknowledgement

log = logging.getLogger(__name__)


def handle_notification(body: bytes, gateway: PaymentGateway | None, attempts: int = 3) -> str:
    """WeChat Pay's payment notification, retried on a deadlock (the database chose this
    transaction to roll back; trying again is safe: it rolled back entirely)."""
    for attempt in range(1, attempts + 1):
        try:
            return _handle_notification(body, gateway)
        except OperationalError as error:
            db.session.rollback()
            if attempt == attempts or not _is_deadlock(error):
                raise
            log.info("payment notification retried after a deadlock (attempt %s)", attempt)
    raise AssertionError("unreachable")


def _is_deadlock(error: OperationalError) -> bool:
    args = getattr(error.orig, "args", ())
    return bool(args) and args[0] in (1213, 1205)


def _handle_notification(body: bytes, gateway: PaymentGateway | None) -> str:
    """WeChat Pay's payment notification: credit the order exactly once.

    Returns the XML answer: SUCCESS once the notification is dealt with (credited,
    already credited, or an amount mismatch recorded for the committee); FAIL for
    anything we cannot trust (bad signature, wrong appid or merchant, unknown order).
    """
    if gateway is None:
        return acknowledgement("FAIL", "未开通")
    try:
        note = gateway.parse_notification(body)
    except InvalidNotification:
        log.warning("payment notification refused: not verifiable")
        return gateway.acknowledge(False, "签名失败")
    if note.appid != gateway.appid or note.mch_id != gateway.mch_id:
        log.warning("payment notification for another appid or merchant refused")
        return gateway.acknowledge(False, "商户不匹配")
    if not note.return_ok:
        return gateway.acknowledge(False, "通信失败")
    payment = locked_payment(note.out_trade_no)
    if payment is None:
        db.session.rollback()
        return gateway.acknowledge(False, "订单不存在")
    if payment.status == "paid":
        db.session.rollback()
        return gateway.acknowledge(True)
    if not note.result_ok:  # the resident's payment failed: nothing to credit
        db.session.rollback()
        return gateway.acknowledge(True)
    if note.total_fen != payment.total_fen:
        anomaly(payment, "amount_mismatch", expected=payment.total_fen, notified=note.total_fen)
        db.session.commit()
        return gateway.acknowledge(True)
    credit(payment, note.transaction_id, via="notify")
    db.session.commit()
    return gateway.acknowledge(True)


def locked_payment(out_trade_no: str | None) -> Payment | None:
    if not out_trade_no:
        return None
    return db.session.scalars(
        select(Payment)
        .where(Payment.out_trade_no == out_trade_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def credit(payment: Payment, transaction_id: str | None, *, via: str) -> None:
    """Mark a (locked) order paid, its bills paid, and write the ledger — no commit.

    An order we had closed that WeChat says was paid is credited all the same (the
    money arrived); any bill meanwhile paid another way is recorded as a double
    payment for the committee to refund.
    """
    now = utcnow()
    was_closed = payment.status == "closed"
    payment.status, payment.paid_at, payment.credited_by = "paid", now, via
    payment.transaction_id = transaction_id
    payment.closed_at = None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # The same WeChat transaction credited to another order: never twice.
        payment.transaction_id = None
        anomaly(payment, "duplicate_transaction", transaction_id=transaction_id)
    bills = _bills_of(payment)
    settled = [b for b in bills if b.status != "paid"]
    double = [b.id for b in bills if b.status == "paid"]
    if double or was_closed:
        anomaly(payment, "paid_after_close" if was_closed else "double_payment", bills=double)
    if settled:
        db.session.execute(
            update(Bill)
            .where(Bill.id.in_([b.id for b in settled]))
            .values(status="paid", paid_at=now)
            .execution_options(synchronize_session=False)
        )
        ledger.append(payment.compound_id, _movements(payment, settled), payment.payer_id)
    _tell_payer(payment)


def _bills_of(payment: Payment) -> list[Bill]:
    return list(
        db.session.scalars(
            select(Bill)
            .join(PaymentBill, PaymentBill.bill_id == Bill.id)
            .where(PaymentBill.payment_id == payment.id)
            .order_by(Bill.id)
        )
    )


def _movements(payment: Payment, bills: list[Bill]) -> list[ledger.Movement]:
    codes = dict(
        db.session.execute(
            select(FeeItem.id, FeeItem.code).where(FeeItem.id.in_({b.fee_item_id for b in bills}))
        ).all()
    )
    return [
        ledger.Movement(
            account=f"fee:{codes[b.fee_item_id]}",
            direction="credit",
            amount_fen=b.amount_fen,
            source_type="payment",
            source_id=payment.id,
            memo=f"bill {b.id} {b.period} WeChat {payment.out_trade_no}",
        )
        for b in bills
    ]


def _tell_payer(payment: Payment) -> None:
    yuan = f"{payment.total_fen / 100:.2f}"
    message = Message(
        kind="payment",
        template="reminder",
        title=f"缴费成功：{yuan} 元",
        body=f"您已通过微信支付缴费 {yuan} 元，订单号 {payment.out_trade_no}。",
        data={},
        page="pages/bills/index",
    )
    occasion = notify.Occasion(f"pay{payment.id}", payment.compound_id)
    notify.deliver(message, [payment.payer_id], occasion, inbox_only=True)


def anomaly(payment: Payment, kind: str, **details) -> None:
    db.session.add(
        PaymentAnomaly(
            compound_id=payment.compound_id,
            payment_id=payment.id,
            kind=kind,
            details={"out_trade_no": payment.out_trade_no, **details},
        )
    )
    log.warning("payment anomaly %s on %s", kind, payment.out_trade_no)


def close(payment: Payment, now: datetime, reason: str | None = None) -> None:
    """Close an unpaid order and free its bills (no commit)."""
    payment.status, payment.closed_at = "closed", now
    db.session.execute(
        update(Bill)
        .where(
            Bill.id.in_(select(PaymentBill.bill_id).where(PaymentBill.payment_id == payment.id)),
            Bill.status == "pending",
        )
        .values(status="unpaid")
        .execution_options(synchronize_session=False)
    )
    if reason:
        log.info("payment %s closed: %s", payment.out_trade_no, reason)
