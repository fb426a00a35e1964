"""Settling a refund as WeChat Pay says it ended (its notification, or our query):
exactly once, with the money moved in the same transaction.

Every path locks the payment, then the refund (then its anomaly, then the bills): a
refund already ended is left alone, so a repeated or late notification, or a query
racing one, changes nothing.

- SUCCESS: the refund counts. With an anomaly, the refund suspense account is debited
  and the anomaly records it (resolved when nothing is left owed back); without one,
  the fee accounts the payment credited are debited, split by its bills' shares. A
  payment refunded whole leaves its bills unpaid again (the household owes them).
- CLOSED / ABNORMAL: no money moved; a "refund_abnormal" anomaly tells the committee.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from server.clock import utcnow
from server.extensions import db
from server.models import Bill, FeeItem, Payment, PaymentAnomaly, PaymentBill, Refund
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.money import anomalies, ledger, receipts, settlement

log = logging.getLogger(__name__)

ENDED = ("SUCCESS", "CLOSED", "ABNORMAL")
IN_PROGRESS = ("confirmed", "processing")
RESOLUTION = "微信支付原路退回"


def locked(refund_id: int) -> tuple[Payment, Refund]:
    """A refund and its payment, locked (the payment first, as every money path does)."""
    payment_id = db.session.scalar(select(Refund.payment_id).where(Refund.id == refund_id))
    payment = db.session.scalars(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    refund = db.session.scalars(
        select(Refund)
        .where(Refund.id == refund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return payment, refund


def settle(payment: Payment, refund: Refund, state) -> str:
    """Act on WeChat Pay's word on a (locked) refund — no commit. `state` is a
    RefundState or a RefundNotice. Returns "settled" (ended before: nothing to do),
    "success", "closed", "abnormal", or "pending" (still processing)."""
    if refund.status not in IN_PROGRESS:
        return "settled"
    refund.refund_id = refund.refund_id or state.refund_id
    if state.status == "SUCCESS":
        _succeed(payment, refund, state.received_by, getattr(state, "succeeded_at", None))
        return "success"
    if state.status in ("CLOSED", "ABNORMAL"):
        _end_badly(payment, refund, state.status)
        return state.status.lower()
    return "pending"


def _succeed(payment: Payment, refund: Refund, received_by: str | None, succeeded_at) -> None:
    """Dated when WeChat Pay made it (its statement lists it on that day, however late
    we heard), never later than now."""
    now = utcnow()
    refund.status = "success"
    refund.settled_at = min(succeeded_at, now) if succeeded_at else now
    refund.received_by = (received_by or "")[:64] or None
    refund.sent_at = refund.sent_at or refund.settled_at
    payment.refunded_fen = (payment.refunded_fen or 0) + refund.amount_fen
    label = receipts.household_label(payment.household_id)
    if refund.anomaly_id is not None:
        movements = [_from_suspense(payment, refund, label)]
    else:
        movements = _from_fees(payment, refund, label)
    ledger.append(payment.compound_id, movements, refund.confirmed_by_id)
    owed_again = False
    if payment.status == "paid" and payment.refunded_fen >= payment.total_fen:
        owed_again = _bills_owed_again(payment) > 0
    tell_payer_arrived(refund, payment, owed_again)


def _from_suspense(payment: Payment, refund: Refund, label: str) -> ledger.Movement:
    anomaly = db.session.scalars(
        select(PaymentAnomaly)
        .where(PaymentAnomaly.id == refund.anomaly_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    anomaly.refunded_fen = (anomaly.refunded_fen or 0) + refund.amount_fen
    if anomalies.refund_left(anomaly) == 0 and anomaly.resolved_at is None:
        anomaly.resolved_at, anomaly.resolution = utcnow(), RESOLUTION
        anomaly.resolved_by_id = refund.confirmed_by_id
    return ledger.Movement(
        account=ledger.REFUND_DUE,
        direction="debit",
        amount_fen=refund.amount_fen,
        source_type="wechat_refund",
        source_id=refund.id,
        memo=f"{label} 微信退款 {refund.amount_fen / 100:.2f} 元，订单 {payment.out_trade_no}，"
        f"退款单 {refund.out_refund_no}：{refund.reason}"[: receipts.MEMO_MAX],
    )


def _from_fees(payment: Payment, refund: Refund, label: str) -> list[ledger.Movement]:
    """Debits of the fee accounts the payment credited (the bills it paid), split by
    their shares (largest remainder: the parts add up to the refund exactly)."""
    rows = db.session.execute(
        select(PaymentBill.amount_fen, Bill.period, FeeItem.code, FeeItem.name)
        .join(Bill, Bill.id == PaymentBill.bill_id)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .where(
            PaymentBill.payment_id == payment.id,
            PaymentBill.amount_fen > 0,
            Bill.status == "paid",
            Bill.held_by == settlement.holder(payment),  # a bill paid another way: not ours
        )
        .order_by(Bill.id)
    ).all()
    how = f"微信退款，订单 {payment.out_trade_no}，退款单 {refund.out_refund_no}"
    return [
        ledger.Movement(
            account=f"fee:{code}",
            direction="debit",
            amount_fen=part,
            source_type="wechat_refund",
            source_id=refund.id,
            memo=receipts.bill_memo(label, period, name, how),
        )
        for part, (_, period, code, name) in zip(
            split(refund.amount_fen, [r[0] for r in rows]), rows, strict=True
        )
        if part > 0
    ]


def split(amount: int, shares: list[int]) -> list[int]:
    """`amount` in parts proportional to `shares`, in whole fen that add up to it
    (largest remainder; ties to the earlier share)."""
    total = sum(shares)
    if not total:
        return [0] * len(shares)
    floors = [amount * share // total for share in shares]
    rest = amount - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(amount * shares[i] % total), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def _bills_owed_again(payment: Payment) -> int:
    """A payment refunded whole: the bills it paid are unpaid again (not those paid
    another way: their share was an anomaly's). Returns how many."""
    ids = list(
        db.session.scalars(select(PaymentBill.bill_id).where(PaymentBill.payment_id == payment.id))
    )
    return db.session.execute(
        update(Bill)
        .where(Bill.id.in_(ids), Bill.status == "paid", Bill.held_by == settlement.holder(payment))
        .values(status="unpaid", held_by=None, paid_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def _end_badly(payment: Payment, refund: Refund, status: str) -> None:
    refund.status, refund.settled_at = status.lower(), utcnow()
    refund.error = (
        "微信支付关闭了这笔退款，钱未退出" if status == "CLOSED" else "退款异常：未能退回用户账户"
    )
    settlement.anomaly(
        payment,
        "refund_abnormal",
        out_refund_no=refund.out_refund_no,
        refund_id=refund.refund_id,
        amount_fen=refund.amount_fen,
        status=status,
        household=receipts.household_label(payment.household_id),
    )
    tell_failed(refund, payment)


# ----- what people are told -----


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _payer_message(title: str, body: str, what: str, refund: Refund) -> Message:
    return Message(
        kind="payment",
        template="reminder",
        title=title,
        body=body,
        data={
            "thing1": shorten(what),
            "thing2": shorten(title),
            "time3": wx_time(utcnow()),
        },
        page="pages/bills/index",
    )


def tell_payer_sent(refund: Refund, payment: Payment) -> None:
    """The payer: the refund is on its way back (inbox and push; no commit)."""
    yuan = _yuan(refund.amount_fen)
    body = (
        f"{yuan} 元退款已提交微信支付，将原路退回（订单 {payment.out_trade_no}）。"
        f"退款原因：{refund.reason}"
    )
    message = _payer_message(f"{yuan} 元退款已提交", body, "微信支付退款", refund)
    receipts.tell(message, [payment.payer_id], f"rf{refund.id}s", payment.compound_id, push=True)


def where_received(received_by: str | None) -> str:
    """ "您的微信零钱", "您的招商银行信用卡0403", or the way it was paid."""
    if not received_by:
        return "您的原支付账户"
    if "零钱" in received_by:
        return "您的微信零钱"
    return f"您的{received_by}"


def tell_payer_arrived(refund: Refund, payment: Payment, owed_again: bool) -> None:
    yuan = _yuan(refund.amount_fen)
    body = f"{yuan} 元已退回{where_received(refund.received_by)}（订单 {payment.out_trade_no}）。"
    if owed_again:
        body += "这笔缴费已全部退还，相应账单恢复为待缴。"
    message = _payer_message(f"{yuan} 元已退回", body, "微信支付退款已到账", refund)
    receipts.tell(message, [payment.payer_id], f"rf{refund.id}d", payment.compound_id, push=True)


def tell_failed(refund: Refund, payment: Payment) -> None:
    """The payer (the committee will contact them) and the committee (no commit)."""
    yuan = _yuan(refund.amount_fen)
    body = f"订单 {payment.out_trade_no} 的 {yuan} 元退款未能完成，业委会将与您联系。"
    message = _payer_message(f"{yuan} 元退款未完成", body, "微信支付退款", refund)
    receipts.tell(message, [payment.payer_id], f"rf{refund.id}f", payment.compound_id, push=True)
    label = receipts.household_label(payment.household_id)
    note = Message(
        kind="payment",
        template="reminder",
        title=f"退款未完成：{label} {yuan} 元",
        body=f"{label} 订单 {payment.out_trade_no} 的 {yuan} 元微信退款未完成：{refund.error}。"
        "请联系住户另行处理。",
        data={},
        page="pages/confirm/index",
    )
    committee = notify.compound_members(payment.compound_id, "committee")
    occasion = notify.Occasion(f"rf{refund.id}c", payment.compound_id)
    notify.deliver(note, committee, occasion, inbox_only=True)
    log.warning("refund %s ended %s", refund.out_refund_no, refund.status)
