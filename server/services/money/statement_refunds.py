"""A daily statement's refund lines compared with our refunds (`Refund`, built by the
refunds work: whatever rows exist), and the fee WeChat Pay gives back with each one
credited to the fee account once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from server.extensions import db
from server.labels import label
from server.models import LedgerEntry, Payment, Refund
from server.services.money import ledger, settlement, statement_compare
from server.services.money.merchants import LEGACY
from server.services.money.statement_compare import FEE_RETURN_SOURCE, Comparison
from server.wechat import Statement, StatementLine


def refund_line(merchant: str, day: date, line: StatementLine, result: Comparison) -> None:
    payment = settlement.locked_payment(line.out_trade_no)
    if payment is not None and not statement_compare.is_of(merchant, payment):
        payment = None  # an order made with another merchant: not this line's
    refund = db.session.scalars(
        select(Refund).where(Refund.out_refund_no == (line.out_refund_no or ""))
    ).first()
    if refund is not None and (
        payment is None
        or refund.payment_id != payment.id
        or not statement_compare.is_of(merchant, refund)
    ):
        refund = None  # another order's or merchant's: not a match
    compound_id = (
        payment.compound_id if payment else statement_compare.compound_of_merchant(merchant)
    )
    result.count(compound_id, line)
    if refund is not None and refund.status == "success" and refund.amount_fen == line.refund_fen:
        _return_fee(refund, line)
        return
    if refund is None:
        problem = "本系统没有这笔退款"
    elif refund.status != "success":
        problem = f"本系统记为“{label('refund_status', refund.status)}”"
    else:
        problem = f"本系统记为 {statement_compare.yuan(refund.amount_fen)}"
    text = (
        f"退款 {line.out_refund_no or line.refund_id}（订单 {line.out_trade_no}）："
        f"微信支付已退 {statement_compare.yuan(line.refund_fen)}，{problem}；请核对退款记录"
    )
    details = {
        "day": day.isoformat(),
        "out_refund_no": line.out_refund_no,
        "refund_fen": line.refund_fen,
    }
    if payment is not None:
        settlement.anomaly(payment, "statement_refund", **details)
    else:
        statement_compare.orphan(compound_id, "statement_refund", line, day, merchant, text)
    result.note(compound_id, text)


def _return_fee(refund: Refund, line: StatementLine) -> None:
    """The fee WeChat Pay gave back with a refund, credited once (the payment is locked)."""
    if line.fee_fen >= 0:
        return
    booked = db.session.scalar(
        select(LedgerEntry.id).where(
            LedgerEntry.source_type == FEE_RETURN_SOURCE, LedgerEntry.source_id == refund.id
        )
    )
    if booked is not None:
        return
    memo = f"微信支付退回手续费，退款 {refund.out_refund_no}（订单 {line.out_trade_no}）"
    movement = ledger.Movement(
        ledger.PAY_FEES, "credit", -line.fee_fen, FEE_RETURN_SOURCE, refund.id, memo[:200]
    )
    ledger.append(refund.compound_id, [movement], None)


def missing_there(merchant: str, statement: Statement, result: Comparison) -> None:
    """Refunds we hold as succeeded that day which the statement lacks (one settled
    within MIDNIGHT of the day's edges is left alone: its line may be the neighbour's)."""
    start, end = statement_compare.day_bounds(statement.day)
    listed = {line.out_refund_no for line in statement.lines if line.is_refund}
    merchant_is = (
        or_(Refund.merchant == merchant, Refund.merchant.is_(None))
        if merchant == LEGACY
        else Refund.merchant == merchant
    )
    refunds = db.session.scalars(
        select(Refund)
        .where(
            merchant_is,
            Refund.status == "success",
            Refund.settled_at >= start + statement_compare.MIDNIGHT,
            Refund.settled_at < end - statement_compare.MIDNIGHT,
        )
        .order_by(Refund.id)
    ).all()
    for refund in refunds:
        if refund.out_refund_no in listed:
            continue
        payment = db.session.get(Payment, refund.payment_id)
        locked = settlement.locked_payment(payment.out_trade_no)
        settlement.anomaly(
            locked,
            "statement_refund",
            day=statement.day.isoformat(),
            out_refund_no=refund.out_refund_no,
            refund_fen=refund.amount_fen,
        )
        result.note(
            refund.compound_id,
            f"退款 {refund.out_refund_no}（订单 {locked.out_trade_no}）：本系统记为已退 "
            f"{statement_compare.yuan(refund.amount_fen)}，微信支付对账单里没有；请在商户平台核对",
        )
