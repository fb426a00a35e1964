"""Settling WeChat Pay orders: crediting, disputing, closing (the notification that
asks for it is `pay_notifications`; reconciliation asks too).

Exactly once: every path locks the order row, the conditional change pending → paid
happens once, and WeChat's transaction_id is unique; repeated notifications find the
order paid and are answered SUCCESS again.

A bill is settled only by the payment holding it (`Bill.held_by`) or, if it is
free, by any payment of it. Money that settles no bill — an order we had closed
and WeChat took payment for after the bill was paid another way, or an amount
other than the order's — is credited to the refund suspense account and named in
an anomaly, so the ledger holds every fen received and the committee knows whom
to refund.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from server.clock import utcnow
from server.extensions import db
from server.models import Bill, FeeItem, Payment, PaymentAnomaly, PaymentBill
from server.services.messaging import notify
from server.services.messaging.messages import Message
from server.services.money import bill_holds, ledger, receipts

log = logging.getLogger(__name__)


def locked_payment(out_trade_no: str | None) -> Payment | None:
    if not out_trade_no:
        return None
    return db.session.scalars(
        select(Payment)
        .where(Payment.out_trade_no == out_trade_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def settle_paid(
    payment: Payment,
    transaction_id: str | None,
    total_fen: int | None,
    *,
    via: str,
    taken: bool | None = None,
) -> str:
    """Act on WeChat Pay's word that a (locked) order was paid — no commit. Returns
    "settled" (paid or disputed before: nothing to do), "duplicate" (the transaction
    is another order's), "mismatch" / "disputed" (another amount) or "credited".

    An amount that differs in a notification for a pending order credits nothing and
    changes nothing but an anomaly: reconciliation asks WeChat Pay itself, and only
    when its order query confirms another amount (`via="reconcile"`) does the order
    end disputed. `taken`: whether another order has this transaction id, if the
    caller read it with the lock (`pay_notifications.locked_payment_and_taken`).
    """
    if payment.status in ("paid", "disputed"):
        return "settled"
    if taken is None:
        taken = bool(transaction_id) and _transaction_taken(transaction_id, payment.id)
    if transaction_id and taken:
        anomaly(payment, "duplicate_transaction", transaction_id=transaction_id)
        return "duplicate"
    if total_fen != payment.total_fen:
        if via != "reconcile" and payment.status == "pending":
            anomaly(payment, "amount_mismatch", expected=payment.total_fen, notified=total_fen)
            return "mismatch"
        # Confirmed by WeChat Pay's query, or an order we had closed (it holds no bill:
        # booking what arrived to the refund account can take nothing from anyone).
        dispute(payment, transaction_id, total_fen, via=via)
        return "disputed"
    credit(payment, transaction_id, via=via)
    return "credited"


def _transaction_taken(transaction_id: str, payment_id: int) -> bool:
    return (
        db.session.scalar(
            select(Payment.id).where(
                Payment.transaction_id == transaction_id, Payment.id != payment_id
            )
        )
        is not None
    )


def holder(payment: Payment) -> str:
    return f"payment:{payment.id}"


def credit(payment: Payment, transaction_id: str | None, *, via: str) -> None:
    """Mark a (locked) order paid, settle its bills and write the ledger — no commit.

    An order we had closed that WeChat says was paid is credited all the same (the
    money arrived). Its bills are settled if still free; a bill meanwhile held or
    paid by another payment is not touched: its share goes to the refund suspense
    account and a "double_payment" anomaly names it.
    """
    now = utcnow()
    was_closed = payment.status == "closed"
    payment.status, payment.paid_at, payment.credited_by = "paid", now, via
    payment.transaction_id, payment.closed_at = transaction_id, None
    mine = holder(payment)
    settled, taken = [], []
    bills, label = _locked_bills(payment)
    for bill, share, fee_code, fee_name in bills:
        free = bill.status == "unpaid" or (bill.status == "pending" and bill.held_by == mine)
        (settled if free else taken).append((bill, share, fee_code, fee_name))
    if settled:
        db.session.execute(
            update(Bill)
            .where(Bill.id.in_([bill.id for bill, *_ in settled]))
            .values(status="paid", paid_at=now, held_by=mine)
            .execution_options(synchronize_session=False)
        )
    movements = _movements(payment, settled, label)
    refund_due = sum(share for _, share, *_ in taken)
    if refund_due:
        movements.append(_suspense(payment, refund_due, "账单已由其他方式缴清", label))
    if taken:
        anomaly(
            payment,
            "double_payment",
            bills=[bill.id for bill, *_ in taken],
            refund_due_fen=refund_due,
        )
    if movements:
        ledger.append(payment.compound_id, movements, payment.payer_id)
    if was_closed:
        log.info("payment %s credited after it was closed", payment.out_trade_no)
    _tell_payer(payment, refund_due, [(bill.period, name) for bill, _, _, name in bills])


def dispute(
    payment: Payment, transaction_id: str | None, total_fen: int | None, *, via: str
) -> None:
    """WeChat Pay's order query says it took another amount than the order's (locked;
    no commit): the order ends "disputed", its bills are freed to be paid properly,
    the money received is booked to the refund suspense account, and one anomaly
    tells the committee."""
    now = utcnow()
    payment.status, payment.paid_at, payment.credited_by = "disputed", now, via
    payment.transaction_id, payment.closed_at = transaction_id, None
    _free_bills(payment)
    received = total_fen if isinstance(total_fen, int) and total_fen > 0 else 0
    if received:
        why = f"实收金额与订单 {payment.total_fen / 100:.2f} 元不符"
        label = receipts.household_label(payment.household_id)
        ledger.append(
            payment.compound_id, [_suspense(payment, received, why, label)], payment.payer_id
        )
    anomaly(
        payment,
        "amount_disputed",
        expected=payment.total_fen,
        received=total_fen,
        refund_due_fen=received,
    )
    _tell(
        payment,
        "支付金额与账单不符",
        f"订单 {payment.out_trade_no} 的支付金额与账单不符，业委会将核对并退款；账单已恢复为待缴。",
    )


def _locked_bills(payment: Payment) -> tuple[list[tuple[Bill, int, str, str]], str]:
    """The order's bills, locked in id order (every path locks a payment, then its
    bills), each with the share the order charged for it and its fee item's code (for
    the ledger account) and name (for the memo); and the flat's label ("1-1-101"). What
    is not a bill is read by subqueries: a locking read does not lock what its subqueries
    read, so the fee item and the flat stay free for other payments."""
    rows = db.session.execute(
        select(
            Bill,
            PaymentBill.amount_fen,
            *_fee_item_columns(),
            receipts.household_label_column(payment.household_id),
        )
        .join(PaymentBill, PaymentBill.bill_id == Bill.id)
        .where(PaymentBill.payment_id == payment.id)
        .order_by(Bill.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    label = rows[0][-1] if rows else ""
    return [(bill, share, code, name) for bill, share, code, name, _ in rows], label


def _fee_item_columns():
    item = select(FeeItem).where(FeeItem.id == Bill.fee_item_id)
    return (
        item.with_only_columns(FeeItem.code).scalar_subquery(),
        item.with_only_columns(FeeItem.name).scalar_subquery(),
    )


def _movements(
    payment: Payment, settled: list[tuple[Bill, int, str, str]], label: str
) -> list[ledger.Movement]:
    how = f"微信支付，订单 {payment.out_trade_no}"
    return [
        ledger.Movement(
            account=f"fee:{fee_code}",
            direction="credit",
            amount_fen=share,
            source_type="payment",
            source_id=payment.id,
            memo=receipts.bill_memo(label, bill.period, fee_name, how),
        )
        for bill, share, fee_code, fee_name in settled
        if share > 0
    ]


def _suspense(payment: Payment, amount_fen: int, why: str, label: str) -> ledger.Movement:
    return ledger.Movement(
        account=ledger.REFUND_DUE,
        direction="credit",
        amount_fen=amount_fen,
        source_type="payment",
        source_id=payment.id,
        memo=receipts.refund_due_memo(label, payment.out_trade_no, why),
    )


def _tell_payer(payment: Payment, refund_due: int, bills: list[tuple[str, str]]) -> None:
    """The payer's "paid" line, the same message as for cash. Inbox only: WeChat itself
    sends the payer a payment receipt at once, and a push would spend the one-time
    subscription the month's fee reminder needs."""
    detail = f"订单号 {payment.out_trade_no}。"
    if refund_due:
        detail += f"其中 {refund_due / 100:.2f} 元的账单已由其他方式缴清，业委会将退还。"
    message = receipts.paid_message(
        "wechat", payment.total_fen, receipts.bills_text(bills), detail, payment.paid_at
    )
    receipts.tell(message, [payment.payer_id], f"pay{payment.id}", payment.compound_id, push=False)


def _tell(payment: Payment, title: str, body: str) -> None:
    message = Message(
        kind="payment",
        template="reminder",
        title=title,
        body=body,
        data={},
        page="pages/bills/index",
    )
    occasion = notify.Occasion(f"pay{payment.id}", payment.compound_id)
    notify.deliver(message, [payment.payer_id], occasion, inbox_only=True)


def anomaly(payment: Payment, kind: str, **details) -> None:
    """Record something about an order for the committee, once per order and kind —
    and, about one of its refunds, once per refund (`out_refund_no`): each refund of an
    order may go wrong (the order is locked, so a repeat finds the first)."""
    refund_no = str(details.get("out_refund_no") or "")[:64]
    exists = db.session.scalar(
        select(PaymentAnomaly.id).where(
            PaymentAnomaly.payment_id == payment.id,
            PaymentAnomaly.kind == kind,
            PaymentAnomaly.refund_no == refund_no,
        )
    )
    if exists is not None:
        return
    db.session.add(
        PaymentAnomaly(
            compound_id=payment.compound_id,
            payment_id=payment.id,
            kind=kind,
            refund_no=refund_no,
            details={"out_trade_no": payment.out_trade_no, **details},
        )
    )
    log.warning("payment anomaly %s on %s", kind, payment.out_trade_no)


def close(payment: Payment, now: datetime, reason: str | None = None) -> None:
    """Close an unpaid order and free the bills it holds (no commit)."""
    payment.status, payment.closed_at = "closed", now
    _free_bills(payment)
    if reason:
        log.info("payment %s closed: %s", payment.out_trade_no, reason)


def give_up(payment: Payment) -> None:
    """An order WeChat Pay calls paid that cannot be credited (its transaction id is
    another order's; the anomaly says so) ends disputed once it has expired, so its
    bills are free to be paid again (locked; no commit; nothing booked: the money, if
    any, is the other order's)."""
    payment.status, payment.closed_at = "disputed", utcnow()
    _free_bills(payment)


def _free_bills(payment: Payment) -> None:
    ids = db.session.scalars(
        select(PaymentBill.bill_id).where(PaymentBill.payment_id == payment.id)
    ).all()
    bill_holds.release(list(ids), holder(payment))
