"""Paying bills with WeChat Pay: orders, the exactly-once notification, reconciliation.

Exactly once: the notification locks the order row, the conditional change
pending → paid happens once, and WeChat's transaction_id is unique; repeated
notifications find the order paid and are answered SUCCESS again. The server
computes every amount itself; the client's success callback proves nothing.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from server.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from server.extensions import db
from server.models import (
    Bill,
    FeeItem,
    Payment,
    PaymentAnomaly,
    PaymentBill,
    ReconciliationReport,
    utcnow,
)
from server.models.base import SHANGHAI
from server.services import compounds, ledger, notify
from server.services.access import Principal
from server.services.messages import Message
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import InvalidNotification, PaymentGateway, PayRejected

log = logging.getLogger(__name__)
MAX_BILLS = 36


@dataclass(frozen=True)
class CreatedPayment:
    payment: Payment
    pay_params: dict


def _not_configured() -> ServiceUnavailable:
    return ServiceUnavailable(
        "在线缴费暂未开通，请联系单元联络人线下缴费", code="pay_not_configured"
    )


def create_payment(
    principal: Principal, bill_ids: list[int], client_ip: str, gateway: PaymentGateway | None
) -> CreatedPayment:
    """Open a WeChat Pay order for unpaid bills of one of the caller's households.

    The bills are reserved ("pending") before WeChat is called, so they cannot go
    into a second payment; if the order cannot be created they are freed again.
    Raises NotFound, Conflict (a bill not unpaid), ValidationFailed, ServiceUnavailable.
    """
    if gateway is None:
        raise _not_configured()
    now = utcnow()
    reusable = _open_order_for(principal, bill_ids, now)
    if reusable is not None:  # paying again after cancelling the WeChat sheet
        return CreatedPayment(reusable, gateway.jsapi_params(reusable.prepay_id))
    bills = _payable_bills(principal, bill_ids)
    payment = Payment(
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
            notify_url=current_app.config["PUBLIC_BASE_URL"] + "/api/v1/payments/wechat/notify",
            expires_at=payment.expires_at,
        )
    except (WeChatUnavailable, PayRejected) as error:
        _close(payment, utcnow(), reason=str(error))
        db.session.commit()
        raise ServiceUnavailable("微信支付暂时不可用，请稍后再试", code="pay_unavailable") from None
    payment.prepay_id = prepay_id
    db.session.commit()
    return CreatedPayment(payment, gateway.jsapi_params(prepay_id))


def _open_order_for(principal: Principal, bill_ids: list[int], now: datetime) -> Payment | None:
    """The caller's own unexpired order for exactly these bills, if there is one: its
    prepay_id is still good, so the resident can simply pay it."""
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
    ids = list(dict.fromkeys(bill_ids))
    if not ids or len(ids) > MAX_BILLS:
        raise ValidationFailed(f"一次可缴 1 到 {MAX_BILLS} 笔账单", code="bad_bill_count")
    bills = list(db.session.scalars(select(Bill).where(Bill.id.in_(ids)).order_by(Bill.id)))
    if len(bills) != len(ids) or any(not principal.resident_of(b.household_id) for b in bills):
        raise NotFound("找不到账单", code="bill_not_found")
    if len({b.household_id for b in bills}) != 1:
        raise ValidationFailed("一次只能缴同一户的账单", code="one_household_per_payment")
    not_payable = [b.id for b in bills if b.status != "unpaid"]
    if not_payable:
        raise Conflict("账单已缴或正在缴费中", code="bill_not_payable", details=not_payable)
    return bills


def _reserve(payment: Payment, bills: list[Bill]) -> None:
    reserved = db.session.execute(
        update(Bill)
        .where(Bill.id.in_([b.id for b in bills]), Bill.status == "unpaid")
        .values(status="pending")
        .execution_options(synchronize_session=False)
    ).rowcount
    if reserved != len(bills):
        db.session.rollback()
        raise Conflict("账单已缴或正在缴费中", code="bill_not_payable")
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


# ----- the notification -----


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
        return _fail_answer()
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
    payment = _locked_payment(note.out_trade_no)
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
        _anomaly(payment, "amount_mismatch", expected=payment.total_fen, notified=note.total_fen)
        db.session.commit()
        return gateway.acknowledge(True)
    credit(payment, note.transaction_id, via="notify")
    db.session.commit()
    return gateway.acknowledge(True)


def _fail_answer() -> str:
    return (
        "<xml><return_code><![CDATA[FAIL]]></return_code>"
        "<return_msg><![CDATA[未开通]]></return_msg></xml>"
    )


def _locked_payment(out_trade_no: str | None) -> Payment | None:
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
        _anomaly(payment, "duplicate_transaction", transaction_id=transaction_id)
    bills = _bills_of(payment)
    settled = [b for b in bills if b.status != "paid"]
    double = [b.id for b in bills if b.status == "paid"]
    if double or was_closed:
        _anomaly(payment, "paid_after_close" if was_closed else "double_payment", bills=double)
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


def _anomaly(payment: Payment, kind: str, **details) -> None:
    db.session.add(
        PaymentAnomaly(
            compound_id=payment.compound_id,
            payment_id=payment.id,
            kind=kind,
            details={"out_trade_no": payment.out_trade_no, **details},
        )
    )
    log.warning("payment anomaly %s on %s", kind, payment.out_trade_no)


# ----- closing and reconciling -----


def _close(payment: Payment, now: datetime, reason: str | None = None) -> None:
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
    payment = _locked_payment(payment.out_trade_no)
    if payment.status != "pending":
        db.session.rollback()
        return
    if state.trade_state == "SUCCESS":
        if state.total_fen != payment.total_fen:
            _anomaly(
                payment, "amount_mismatch", expected=payment.total_fen, queried=state.total_fen
            )
            result.differences.append(
                f"{payment.out_trade_no}: paid {state.total_fen}, expected {payment.total_fen}"
            )
        else:
            credit(payment, state.transaction_id, via="reconcile")
            result.credited += 1
            result.differences.append(f"{payment.out_trade_no}: paid but not notified; credited")
    elif state.trade_state in {"CLOSED", "REVOKED", "PAYERROR"} or (
        state.trade_state == "NOT_FOUND" and now >= payment.expires_at
    ):
        _close(payment, now, reason=state.trade_state)
        result.closed += 1
    elif state.trade_state == "NOTPAY" and now >= payment.expires_at:
        db.session.commit()  # release the row while WeChat closes the order
        outcome = gateway.close_order(payment.out_trade_no)
        payment = _locked_payment(payment.out_trade_no)
        if outcome == "paid":  # paid in the last moment: the next round credits it
            result.differences.append(f"{payment.out_trade_no}: paid while closing")
        elif payment.status == "pending":
            _close(payment, now, reason="expired unpaid")
            result.closed += 1
    db.session.commit()


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
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.household_id.in_(ids))
            .order_by(Payment.id.desc())
            .limit(100)
        )
    )


def anomalies_for(principal: Principal, code: str) -> list[PaymentAnomaly]:
    """What went wrong with money in a compound, for its committee and supervisor."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    return list(
        db.session.scalars(
            select(PaymentAnomaly)
            .where(PaymentAnomaly.compound_id == compound.id)
            .order_by(PaymentAnomaly.id.desc())
            .limit(200)
        )
    )


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
