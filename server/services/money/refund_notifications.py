"""WeChat Pay's refund notification: verified as the merchant's version wants (v2: the
encrypted req_info; v3: the signed, encrypted resource), answered over HTTP, settled
exactly once (`refund_settlement`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from server.database.errors import is_busy
from server.extensions import db
from server.models import Refund
from server.services.money import merchants, refund_settlement
from server.wechat import (
    MAX_NOTIFY_BYTES,
    InvalidNotification,
    NotifyAnswer,
    PaymentGateway,
    acknowledgement,
    payment_gateway,
)

log = logging.getLogger(__name__)


def answer(
    declared_length: int | None,
    read_body: Callable[[], bytes],
    headers: dict | None,
    merchant: str,
) -> NotifyAnswer:
    """The refund notification as it arrived over HTTP for a merchant: the answer, its
    status and type. A body declared larger than any WeChat Pay sends is refused unread."""
    gateway = payment_gateway(merchant)
    if gateway is None:
        return NotifyAnswer(acknowledgement("FAIL", "未开通"), 200, "text/xml")
    if (declared_length or 0) > MAX_NOTIFY_BYTES:
        refusal = gateway.acknowledge(False, "too large")
        return NotifyAnswer(refusal.body, 413, refusal.mimetype)
    return handle(read_body()[: MAX_NOTIFY_BYTES + 1], headers or {}, gateway)


def handle(body: bytes, headers: dict, gateway: PaymentGateway, attempts: int = 3) -> NotifyAnswer:
    """Settle a refund notification, retried on a deadlock (the database rolled this one
    back entirely; the next attempt sees the other's work)."""
    for attempt in range(1, attempts + 1):
        try:
            return _handle(body, headers, gateway)
        except (OperationalError, IntegrityError) as error:
            db.session.rollback()
            if attempt == attempts or not (isinstance(error, IntegrityError) or is_busy(error)):
                raise
            log.info("refund notification retried (attempt %s)", attempt)
    raise AssertionError("unreachable")


def _handle(body: bytes, headers: dict, gateway: PaymentGateway) -> NotifyAnswer:
    """Success once dealt with (settled now or before, or still processing); failure for
    anything we cannot trust or do not know (WeChat Pay then tries again)."""
    try:
        note = gateway.parse_refund_notification(body, headers)
    except InvalidNotification:
        log.warning("refund notification refused: not verifiable")
        return gateway.acknowledge(False, "签名失败")
    if note.mch_id != gateway.mch_id:
        log.warning("refund notification for another merchant refused")
        return gateway.acknowledge(False, "商户不匹配")
    refund_id = db.session.scalar(
        select(Refund.id).where(
            Refund.out_refund_no == (note.out_refund_no or ""),
            Refund.merchant == gateway.merchant,
        )
    )
    if refund_id is None and gateway.merchant == merchants.LEGACY:
        refund_id = db.session.scalar(
            select(Refund.id).where(
                Refund.out_refund_no == (note.out_refund_no or ""), Refund.merchant.is_(None)
            )
        )
    if refund_id is None:
        db.session.rollback()
        return gateway.acknowledge(False, "退款单不存在")
    payment, refund = refund_settlement.locked(refund_id)
    if (
        note.out_trade_no != payment.out_trade_no
        or note.refund_fen != refund.amount_fen
        or not _their_id_is_this_refunds(refund, note.refund_id)
    ):
        db.session.rollback()
        log.warning("refund notification for %s does not match it: refused", note.out_refund_no)
        return gateway.acknowledge(False, "退款单不匹配")
    refund_settlement.settle(payment, refund, note)
    db.session.commit()
    return gateway.acknowledge(True)


def _their_id_is_this_refunds(refund: Refund, refund_id: str | None) -> bool:
    """WeChat Pay's refund id in the notification is the one it gave this refund (or,
    not known yet, no other refund's): never one refund's word settling another."""
    if not refund_id:
        return True
    if refund.refund_id:
        return refund.refund_id == refund_id
    owner = db.session.scalar(select(Refund.id).where(Refund.refund_id == refund_id))
    return owner is None or owner == refund.id
