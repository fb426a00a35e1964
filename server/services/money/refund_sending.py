"""Sending confirmed refunds to WeChat Pay, and asking after those it is processing.

No row is locked while WeChat Pay is asked: the refund is read, the transaction ended,
WeChat Pay called, then the refund locked again and changed only if it still stands as
it was. A refund is always sent with its own out_refund_no, so WeChat Pay makes one
refund however often it is sent (right after confirming, and by the job every minute
while WeChat Pay is away).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import Payment, Refund
from server.services.money import merchants, refund_amounts, refund_settlement
from server.wechat import PayRejected, RefundState, WeChatUnavailable, payment_gateway

log = logging.getLogger(__name__)

NOTIFY_PATH = "/api/v1/payments/wechat/refund-notify/"
# WeChat Pay usually ends a refund to change within a minute or two; asked after this.
QUERY_AFTER = timedelta(minutes=3)
BATCH = 50


def notify_url(merchant: str) -> str:
    """Where WeChat Pay notifies a merchant's refunds."""
    return current_app.config["PUBLIC_BASE_URL"] + NOTIFY_PATH + merchant


def send(refund_id: int) -> str:
    """Send a confirmed refund to WeChat Pay. Returns "sent" (processing now), "failed"
    (refused for good: the committee and the payer are told), "unavailable" (stays
    confirmed, for the job), or "skipped" (not confirmed any more)."""
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if refund is None or refund.status != "confirmed":
        db.session.rollback()
        return "skipped"
    payment = db.session.get(Payment, refund.payment_id)
    gateway = merchants.for_payment(payment)
    request = dict(
        out_trade_no=payment.out_trade_no,
        out_refund_no=refund.out_refund_no,
        total_fen=refund_amounts.paid_fen(payment),
        refund_fen=refund.amount_fen,
        reason=refund.reason,
        notify_url=notify_url(refund.merchant or merchants.LEGACY),
    )
    db.session.commit()  # nothing held while WeChat Pay is asked
    if gateway is None:
        log.warning("refund %s waits: its merchant is not configured", refund_id)
        return "unavailable"
    try:
        state = gateway.refund(**request)
    except WeChatUnavailable:
        log.info("refund %s waits: WeChat Pay unavailable", refund_id)
        return "unavailable"
    except PayRejected as rejected:
        return _refused(refund_id, rejected)
    return _accepted(refund_id, state)


def _accepted(refund_id: int, state: RefundState) -> str:
    payment, refund = refund_settlement.locked(refund_id)
    if refund.status == "confirmed":
        refund.status, refund.sent_at = "processing", utcnow()
        refund.refund_id = refund.refund_id or state.refund_id
        refund_settlement.tell_payer_sent(refund, payment)
    if state.status in refund_settlement.ENDED:  # v3 may answer with the end at once
        refund_settlement.settle(payment, refund, state)
    db.session.commit()
    return "sent"


def _refused(refund_id: int, rejected: PayRejected) -> str:
    payment, refund = refund_settlement.locked(refund_id)
    if refund.status == "confirmed":
        refund.status, refund.settled_at = "failed", utcnow()
        # WeChat Pay's own words first; its code last, for a call to its support.
        why = rejected.message or "未说明原因"
        code = f"（代码 {rejected.err_code}）" if rejected.err_code else ""
        refund.error = f"微信支付拒绝退款：{why}{code}"[:200]
        refund_settlement.tell_failed(refund, payment)
    db.session.commit()
    log.warning("refund %s refused by WeChat Pay: %s", refund_id, rejected.err_code)
    return "failed"


def check(refund_id: int) -> str:
    """Ask WeChat Pay how a processing refund stands and settle what it says. Returns
    its state ("SUCCESS", "PROCESSING", ...), or "unavailable"."""
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if refund is None or refund.status != "processing":
        db.session.rollback()
        return "skipped"
    gateway = payment_gateway(refund.merchant or merchants.LEGACY)
    out_refund_no = refund.out_refund_no
    db.session.commit()
    if gateway is None:
        return "unavailable"
    try:
        state = gateway.query_refund(out_refund_no)
    except (WeChatUnavailable, PayRejected):
        return "unavailable"
    if state.status in refund_settlement.ENDED:
        payment, refund = refund_settlement.locked(refund_id)
        refund_settlement.settle(payment, refund, state)
        db.session.commit()
    elif state.status == "NOT_FOUND":
        log.warning("refund %s: WeChat Pay knows no %s", refund_id, out_refund_no)
    return state.status


@dataclass
class Sent:
    sent: dict = field(default_factory=dict)  # out_refund_no → what send() said
    checked: dict = field(default_factory=dict)  # out_refund_no → WeChat Pay's state


def send_due() -> Sent:
    """The job: send refunds still confirmed (WeChat Pay away, or confirmed without a
    request to send them), and ask after refunds processing for a few minutes."""
    done = Sent()
    confirmed = db.session.execute(
        select(Refund.id, Refund.out_refund_no)
        .where(Refund.status == "confirmed")
        .order_by(Refund.id)
        .limit(BATCH)
    ).all()
    waiting = db.session.execute(
        select(Refund.id, Refund.out_refund_no)
        .where(Refund.status == "processing", Refund.sent_at <= utcnow() - QUERY_AFTER)
        .order_by(Refund.sent_at)
        .limit(BATCH)
    ).all()
    db.session.commit()
    for refund_id, number in confirmed:
        done.sent[number] = send(refund_id)
    for refund_id, number in waiting:
        done.checked[number] = check(refund_id)
    return done
