"""Paying bills with WeChat Pay: opening orders and reading them.

The server computes every amount itself; the client's success callback proves
nothing (the notification and the checks of pending orders, in `pay_notifications` and
`pending_orders`, decide whether an order was paid; `settlement` credits it).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from server.extensions import db
from server.models import Bill, FeeItem, Payment, PaymentBill
from server.services.money import (
    bill_holds,
    merchants,
    pay_notifications,
    refund_reads,
    settlement,
)
from server.services.people import compounds
from server.services.people.access import Principal
from server.wechat import PayRejected, WeChatUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedPayment:
    payment: Payment
    pay_params: dict


def _not_configured() -> ServiceUnavailable:
    return ServiceUnavailable(
        "在线缴费暂未开通，请联系单元联络人线下缴费", code="pay_not_configured"
    )


def create_payment(principal: Principal, bill_ids: list[int], client_ip: str) -> CreatedPayment:
    """Open a WeChat Pay order for unpaid bills of one of the caller's households.

    The bills are reserved ("pending") before WeChat is called, so they cannot go
    into a second payment; if the order cannot be created they are freed again.
    Raises NotFound, Conflict (a bill not unpaid; compound_archived), ValidationFailed,
    ServiceUnavailable.
    """
    now = utcnow()
    reusable = _open_order_for(principal, bill_ids, now)
    if reusable is not None:  # paying again after cancelling the WeChat sheet
        # An order opened before its compound was archived takes no more money (what
        # it took already is credited all the same: notifications, reconciliation).
        compounds.ensure_open_id(reusable.compound_id)
        gateway = merchants.for_payment(reusable)
        if gateway is None:
            raise _not_configured()
        if reusable.cancel_requested_at is not None:  # not closed at WeChat yet: reopen it
            _reopen(reusable, principal)
        return CreatedPayment(reusable, gateway.jsapi_params(reusable.prepay_id))
    bills = _payable_bills(principal, bill_ids)
    compounds.ensure_open_id(bills[0].compound_id)
    merchant, gateway = merchants.for_compound(bills[0].compound_id)
    if gateway is None:
        raise _not_configured()
    payment = Payment(
        merchant=merchant,
        compound_id=bills[0].compound_id,
        household_id=bills[0].household_id,
        payer_id=principal.id,
        out_trade_no=_new_trade_no(now),
        total_fen=sum(b.amount_fen for b in bills),
        status="pending",
        created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["PAYMENT_TTL_MINUTES"]),
    )
    db.session.add(payment)
    db.session.flush()
    _reserve(payment, bills)
    db.session.commit()  # reserved before we talk to WeChat
    try:
        prepay_id = gateway.create_order(
            out_trade_no=payment.out_trade_no,
            total_fen=payment.total_fen,
            description=_description(bills),
            openid=principal.user.openid,
            client_ip=client_ip,
            notify_url=current_app.config["PUBLIC_BASE_URL"]
            + pay_notifications.notify_path(merchant),
            expires_at=payment.expires_at,
        )
    except (WeChatUnavailable, PayRejected) as error:
        settlement.close(payment, utcnow(), reason=str(error))
        db.session.commit()
        raise ServiceUnavailable("微信支付暂时不可用，请稍后再试", code="pay_unavailable") from None
    # Only an order still open here takes its prepay_id: one cancelled meanwhile stays
    # closed, and unpaid at WeChat Pay it simply expires there.
    kept = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == "pending")
        .values(prepay_id=prepay_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not kept:
        raise _cancelled_meanwhile()
    db.session.refresh(payment)
    return CreatedPayment(payment, gateway.jsapi_params(prepay_id))


def _reopen(payment: Payment, principal: Principal) -> None:
    """The payer pays again an order they cancelled themself (still open at WeChat Pay).
    Conditional: a collector who cancelled it meanwhile keeps it cancelled."""
    reopened = db.session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            Payment.status == "pending",
            Payment.cancelled_by_id == principal.id,
        )
        .values(cancel_requested_at=None, cancelled_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not reopened:
        raise _cancelled_meanwhile()
    db.session.refresh(payment)


def _cancelled_meanwhile() -> Conflict:
    return Conflict(
        "这笔订单刚刚已被取消，账单将恢复为待缴，请稍后重新缴费或交给单元联络人",
        code="payment_cancelled",
    )


def _open_order_for(principal: Principal, bill_ids: list[int], now: datetime) -> Payment | None:
    """The caller's own unexpired order for exactly these bills, if there is one: its
    prepay_id is still good, so the resident can simply pay it — also when they cancelled
    it themself and it is waiting to be closed (not when a collector cancelled it)."""
    wanted = set(bill_ids)
    candidates = db.session.scalars(
        select(Payment)
        .join(PaymentBill, PaymentBill.payment_id == Payment.id)
        .where(
            PaymentBill.bill_id.in_(wanted),
            Payment.status == "pending",
            Payment.payer_id == principal.id,
            Payment.expires_at > now,
            Payment.prepay_id.is_not(None),
            or_(Payment.cancelled_by_id.is_(None), Payment.cancelled_by_id == principal.id),
        )
        .distinct()
    ).all()
    for payment in candidates:
        covered = set(
            db.session.scalars(
                select(PaymentBill.bill_id).where(PaymentBill.payment_id == payment.id)
            )
        )
        if covered == wanted:
            return payment
    return None


def _payable_bills(principal: Principal, bill_ids: list[int]) -> list[Bill]:
    bills = bill_holds.choose(bill_ids, lambda b: principal.resident_of(b.household_id), "缴")
    if sum(b.amount_fen for b in bills) <= 0:
        raise ValidationFailed("这些账单无需缴费", code="nothing_to_pay")
    return bills


def _reserve(payment: Payment, bills: list[Bill]) -> None:
    bill_holds.reserve(bills, settlement.holder(payment))
    db.session.add_all(
        PaymentBill(payment_id=payment.id, bill_id=b.id, amount_fen=b.amount_fen) for b in bills
    )


def _new_trade_no(now: datetime) -> str:
    return f"LL{now.astimezone(SHANGHAI):%Y%m%d%H%M%S}{secrets.token_hex(8).upper()}"


def _description(bills: list[Bill]) -> str:
    items = {b.fee_item_id for b in bills}
    names = dict(
        db.session.execute(select(FeeItem.id, FeeItem.name).where(FeeItem.id.in_(items))).all()
    )
    first = names.get(bills[0].fee_item_id, "物业自治费用")
    return f"邻里-{first}" + (f"等{len(bills)}笔" if len(bills) > 1 else f"-{bills[0].period}")


def payment_for(principal: Principal, payment_id: int) -> Payment:
    """One of the caller's payments (the client asks after wx.requestPayment)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not principal.resident_of(payment.household_id):
        raise NotFound("找不到该缴费记录", code="payment_not_found")
    return payment


def payments_of(principal: Principal) -> list[Payment]:
    ids = principal.household_ids
    if not ids:
        return []
    return refund_reads.with_payer_refunds(
        list(
            db.session.scalars(
                select(Payment)
                .where(Payment.household_id.in_(ids))
                .order_by(Payment.id.desc())
                .limit(100)
            )
        )
    )
