"""WeChat Pay's payment notification: answered over HTTP, settled exactly once
(`settlement` does the settling)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError

from server.database.errors import is_busy
from server.extensions import db
from server.services.money import settlement
from server.wechat import (
    MAX_NOTIFY_BYTES,
    InvalidNotification,
    PaymentGateway,
    acknowledgement,
    payment_gateway,
)

log = logging.getLogger(__name__)


def answer(declared_length: int | None, read_body: Callable[[], bytes]) -> tuple[str, int]:
    """The notification as it arrived over HTTP: the XML answer and its status. A body
    declared larger than any WeChat Pay sends is refused unread."""
    if (declared_length or 0) > MAX_NOTIFY_BYTES:
        return acknowledgement("FAIL", "too large"), 413
    return handle_notification(read_body()[: MAX_NOTIFY_BYTES + 1]), 200


def handle_notification(body: bytes, attempts: int = 3) -> str:
    """WeChat Pay's payment notification, retried on a deadlock or on a transaction id
    another notification wrote at the same moment (the database rolled this one back
    entirely; the next attempt sees the other's work)."""
    gateway = payment_gateway()
    for attempt in range(1, attempts + 1):
        try:
            return _handle_notification(body, gateway)
        except (OperationalError, IntegrityError) as error:
            db.session.rollback()
            if attempt == attempts or not _retryable(error):
                raise
            log.info("payment notification retried (attempt %s)", attempt)
    raise AssertionError("unreachable")


def _retryable(error: OperationalError | IntegrityError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return is_busy(error)


def _handle_notification(body: bytes, gateway: PaymentGateway | None) -> str:
    """WeChat Pay's payment notification: settle the order exactly once.

    Returns the XML answer: SUCCESS once the notification is dealt with (credited,
    already settled, or a difference recorded for the committee); FAIL for anything
    we cannot trust (bad signature, wrong appid or merchant, unknown order).
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
    payment = settlement.locked_payment(note.out_trade_no)
    if payment is None:
        db.session.rollback()
        return gateway.acknowledge(False, "订单不存在")
    if not note.result_ok:  # the resident's payment failed: nothing to credit
        db.session.rollback()
        return gateway.acknowledge(True)
    settlement.settle_paid(payment, note.transaction_id, note.total_fen, via="notify")
    db.session.commit()
    return gateway.acknowledge(True)
