"""WeChat Pay's payment notification: answered over HTTP, settled exactly once
(`settlement` does the settling)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import false, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased

from server.database.errors import is_busy
from server.extensions import db
from server.models import Payment
from server.services.money import settlement
from server.wechat import (
    MAX_NOTIFY_BYTES,
    InvalidNotification,
    NotifyAnswer,
    PaymentGateway,
    acknowledgement,
    payment_gateway,
)

log = logging.getLogger(__name__)

# The merchant notified at the URL without a name (orders made before merchants had
# names, and the plain v2 settings' merchant): never WECHAT_PAY_DEFAULT_MERCHANT, which
# may be another merchant that speaks another version.
UNNAMED = "default"


def answer(
    declared_length: int | None,
    read_body: Callable[[], bytes],
    headers: dict | None = None,
    merchant: str | None = None,
) -> NotifyAnswer:
    """The notification as it arrived over HTTP for a merchant (None: the default one,
    whose notify URL has no name in it): the answer, its status and type. A body
    declared larger than any WeChat Pay sends is refused unread."""
    if (declared_length or 0) > MAX_NOTIFY_BYTES:
        gateway = payment_gateway(merchant or UNNAMED)
        refusal = gateway.acknowledge(False, "too large") if gateway else _not_configured()
        return NotifyAnswer(refusal.body, 413, refusal.mimetype)
    return handle_notification(read_body()[: MAX_NOTIFY_BYTES + 1], headers, merchant)


def _not_configured() -> NotifyAnswer:
    return NotifyAnswer(acknowledgement("FAIL", "未开通"), 200, "text/xml")


def notify_path(merchant: str | None) -> str:
    """The path WeChat Pay notifies a merchant's orders at."""
    base = "/api/v1/payments/wechat/notify"
    return base if merchant in (None, UNNAMED) else f"{base}/{merchant}"


def handle_notification(
    body: bytes, headers: dict | None = None, merchant: str | None = None, attempts: int = 3
) -> NotifyAnswer:
    """WeChat Pay's payment notification for a merchant (None: the default one), retried
    on a deadlock or on a transaction id another notification wrote at the same moment
    (the database rolled this one back entirely; the next attempt sees the other's work)."""
    gateway = payment_gateway(merchant or UNNAMED)
    if gateway is None:
        return _not_configured()
    for attempt in range(1, attempts + 1):
        try:
            return _handle_notification(body, headers or {}, gateway)
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


def _handle_notification(body: bytes, headers: dict, gateway: PaymentGateway) -> NotifyAnswer:
    """WeChat Pay's payment notification: settle the order exactly once.

    Returns the answer: success once the notification is dealt with (credited, already
    settled, or a difference recorded for the committee); failure for anything we cannot
    trust (bad signature, wrong appid or merchant, an order of another merchant or none).
    """
    try:
        note = gateway.parse_notification(body, headers)
    except InvalidNotification:
        log.warning("payment notification refused: not verifiable")
        return gateway.acknowledge(False, "签名失败")
    if note.appid != gateway.appid or note.mch_id != gateway.mch_id:
        log.warning("payment notification for another appid or merchant refused")
        return gateway.acknowledge(False, "商户不匹配")
    if not note.return_ok:
        return gateway.acknowledge(False, "通信失败")
    payment, taken = locked_payment_and_taken(note.out_trade_no, note.transaction_id)
    if payment is None or (payment.merchant or "default") != gateway.merchant:
        db.session.rollback()
        return gateway.acknowledge(False, "订单不存在")
    if not note.result_ok:  # the resident's payment failed: nothing to credit
        db.session.rollback()
        return gateway.acknowledge(True)
    settlement.settle_paid(payment, note.transaction_id, note.total_fen, via="notify", taken=taken)
    db.session.commit()
    return gateway.acknowledge(True)


def locked_payment_and_taken(
    out_trade_no: str | None, transaction_id: str | None
) -> tuple[Payment | None, bool]:
    """`settlement.locked_payment`, and whether another order already has this WeChat
    Pay transaction id (for `settle_paid(taken=...)`), in one statement: the lock does
    not reach the subquery (MariaDB locks neither its rows nor their gaps), which reads
    as `settle_paid`'s own check would."""
    if not out_trade_no:
        return None, False
    other = aliased(Payment)
    taken = (
        select(other.id)
        .where(other.transaction_id == transaction_id, other.id != Payment.id)
        .exists()
        if transaction_id
        else false()
    )
    row = db.session.execute(
        select(Payment, taken)
        .where(Payment.out_trade_no == out_trade_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    return (None, False) if row is None else (row[0], bool(row[1]))
