"""Cancelling an open WeChat Pay order: by its payer (who closed the pay sheet and wants
other bills), or by a liaison of the household's unit or a committee member about to
take cash for its bills.

WeChat Pay is asked first. An order it was paid for is credited, not cancelled; one
being paid right now is left alone; an unpaid one is closed at WeChat Pay, then here,
its bills freed in the same transaction. WeChat Pay closes an order only 5 minutes
after it was created (`CLOSE_AFTER`): a younger order is marked as cancelling, its
bills stay held (so they can never be paid twice), and the `close_cancelled_payments`
job closes it as soon as WeChat Pay allows; the answer says when. Its payer may still
pay it meanwhile (paying the same bills again reopens it).
"""

from __future__ import annotations

from datetime import datetime

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ServiceUnavailable
from server.extensions import db
from server.models import Household, Payment
from server.services.messaging.messages import Message
from server.services.money import (
    merchants,
    pending_orders,
    receipts,
    reconciliation,
    settlement,
)
from server.services.people import users
from server.services.people.access import Principal
from server.wechat import CLOSE_AFTER, OrderState, PayRejected, WeChatUnavailable


def closes_at(payment: Payment) -> datetime | None:
    """When a cancelling order will be closed (None: not cancelling)."""
    if payment.status != "pending" or payment.cancel_requested_at is None:
        return None
    return max(payment.created_at + CLOSE_AFTER, payment.cancel_requested_at)


def cancel(principal: Principal, payment_id: int) -> Payment:
    """Cancel an open order (see the module). Returns it closed, or cancelling until
    `closes_at`. Raises NotFound, Forbidden (not the payer nor a collector), Conflict
    (paid — credited now if it had not been —, being paid, closed, disputed),
    ServiceUnavailable (WeChat Pay)."""
    payment = _cancellable(principal, payment_id)
    out_trade_no = payment.out_trade_no
    young = utcnow() < payment.created_at + CLOSE_AFTER
    if payment.prepay_id is None and young:  # WeChat Pay is still being asked to make it
        _in_progress()
    db.session.commit()  # no lock held while WeChat Pay answers
    gateway = merchants.for_payment(payment)
    if gateway is None:
        raise ServiceUnavailable("在线缴费暂未开通", code="pay_not_configured")
    state = _ask(gateway.query_order, out_trade_no)
    payment = settlement.locked_payment(out_trade_no)
    _check_open(payment)
    now = utcnow()
    reconciliation.settle_mismatch(payment, state, now)
    if state.trade_state == "SUCCESS":
        _credit(payment, state)
    if state.trade_state == "USERPAYING":
        _in_progress()
    # An order WeChat Pay does not know is final only once it could no longer be on its
    # way there (a young one may arrive a moment later and be paid).
    if state.trade_state in pending_orders.FINAL_UNPAID or (
        state.trade_state == "NOT_FOUND" and now >= payment.created_at + CLOSE_AFTER
    ):
        return _closed(payment, principal, now)  # nothing WeChat Pay could still take
    if state.trade_state == "NOT_FOUND":
        _in_progress()
    if state.trade_state not in pending_orders.OPEN_UNPAID:
        _unavailable()
    if now < payment.created_at + CLOSE_AFTER:
        payment.cancel_requested_at = payment.cancel_requested_at or now
        payment.cancelled_by_id = principal.id
        _tell_payer(payment, principal)
        db.session.commit()
        return payment
    db.session.commit()  # release the row while WeChat Pay closes the order
    outcome = _ask(gateway.close_order, out_trade_no)
    payment = settlement.locked_payment(out_trade_no)
    if outcome == "paid":  # paid at the last moment: credit what WeChat Pay took
        _credit(payment, _ask(gateway.query_order, out_trade_no))
    _check_open(payment)
    return _closed(payment, principal, utcnow())


def _cancellable(principal: Principal, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.compound_id not in principal.compound_ids:
        raise NotFound("找不到该缴费记录", code="payment_not_found")
    household = db.session.get(Household, payment.household_id)
    payer = payment.payer_id == principal.id and principal.resident_of(household.id)
    collector = principal.liaison_of(household.unit_id) or principal.committee_of(
        payment.compound_id
    )
    if not (payer or collector):
        raise Forbidden(
            "这笔订单不是您发起的，只有发起人、本单元联络人或业委会成员可以取消",
            code="not_your_payment",
        )
    _check_open(payment)
    return payment


def _check_open(payment: Payment) -> None:
    if payment.status == "paid":
        raise Conflict("这笔订单已支付成功，已入账，无需取消", code="payment_already_paid")
    if payment.status == "disputed":
        raise Conflict(
            "这笔订单已付款但金额与账单不符，业委会将核对退款；账单已恢复为待缴",
            code="payment_disputed",
        )
    if payment.status == "closed":
        raise Conflict("这笔订单已关闭，账单已恢复为待缴", code="payment_already_closed")


def _in_progress():
    db.session.rollback()
    raise Conflict("这笔订单正在支付中，请稍后再试", code="payment_in_progress")


def _ask(call, out_trade_no: str):
    try:
        return call(out_trade_no)
    except (WeChatUnavailable, PayRejected):
        _unavailable()


def _unavailable():
    db.session.rollback()
    raise ServiceUnavailable("暂时无法向微信支付确认订单，请稍后再试", code="pay_unavailable")


def _credit(payment: Payment, state: OrderState) -> None:
    """WeChat Pay says the (locked) order was paid: credit it (exactly once, as a
    notification would) and say so."""
    if state.trade_state == "SUCCESS":
        settlement.settle_paid(payment, state.transaction_id, state.total_fen, via="reconcile")
        db.session.commit()  # what WeChat Pay took is booked, whatever the answer
    _check_open(payment)  # paid or disputed now: raises
    _unavailable()  # WeChat Pay's answers disagree: ask again later


def _closed(payment: Payment, principal: Principal, now: datetime) -> Payment:
    """Close the (locked) order here and free its bills, in this transaction."""
    payment.cancel_requested_at = payment.cancel_requested_at or now
    payment.cancelled_by_id = principal.id
    settlement.close(payment, now, reason="cancelled")
    _tell_payer(payment, principal)
    db.session.commit()
    return payment


def _tell_payer(payment: Payment, principal: Principal) -> None:
    """A collector cancelled the payer's order: tell the payer (once) why it is gone."""
    if principal.id == payment.payer_id:
        return
    name = users.names_in(payment.compound_id, [principal.id])[principal.id]
    made = payment.created_at.astimezone(SHANGHAI)
    closing = closes_at(payment)
    freed = (
        f"账单将于 {closing.astimezone(SHANGHAI):%H:%M} 恢复为待缴"
        if closing
        else "账单已恢复为待缴"
    )
    message = Message(
        kind="payment",
        template="reminder",
        title="微信支付订单已取消",
        body=(
            f"您 {made.month}月{made.day}日 {made:%H:%M} 发起的微信支付订单"
            f"（{payment.total_fen / 100:.2f} 元）已由{name}取消，{freed}，"
            "可交给联络人或重新缴费。"
        ),
        data={},
        page="pages/bills/index",
    )
    receipts.tell(
        message, [payment.payer_id], f"cancel{payment.id}", payment.compound_id, push=False
    )
