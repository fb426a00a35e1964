"""One merchant's daily statement compared line by line with our books: its payment
lines here, its refund lines in statement_refunds.py (statements.py fetches, runs both
and keeps the result).

Nothing is settled here: a trade WeChat Pay has that we have unpaid is credited by the
order query path (pending_orders, the daily report), never by a statement line. What
differs becomes an anomaly for the committee (one per payment and kind, or one per
line when we have no payment) and a Chinese line in the statement's record.

The service fee of each line we can place is booked once: `Payment.fee_fen` and a debit
of the WeChat Pay fee account, in the same transaction; a refund's fee given back is a
credit of that account, once per refund.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from server.clock import SHANGHAI
from server.extensions import db
from server.models import Compound, Payment, PaymentAnomaly, PayStatement
from server.services.money import ledger, settlement
from server.services.money.merchants import LEGACY
from server.wechat import Statement, StatementLine

# WeChat Pay dates a trade when the resident paid; we date it when we heard. A payment
# credited this close to midnight may be in the neighbouring day's statement.
MIDNIGHT = timedelta(minutes=10)
FEE_SOURCE, FEE_RETURN_SOURCE = "pay_fee", "pay_fee_return"


@dataclass
class Comparison:
    """What one statement taught us: per compound (None: we cannot tell whose) its
    lines, money and the differences, in the committee's words."""

    totals: dict = field(default_factory=lambda: defaultdict(_zero))
    differences: list[tuple[int | None, str]] = field(default_factory=list)

    def note(self, compound_id: int | None, text: str) -> None:
        self.differences.append((compound_id, text))

    def count(self, compound_id: int | None, line: StatementLine) -> None:
        totals = self.totals[compound_id]
        totals["lines"] += 1
        totals["fee_fen"] += line.fee_fen
        if line.is_refund:
            totals["refund_fen"] += line.refund_fen
        else:
            totals["paid_fen"] += line.settled_fen


def _zero() -> dict:
    return {"lines": 0, "paid_fen": 0, "refund_fen": 0, "fee_fen": 0}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f} 元"


def _of_merchant(merchant: str):
    if merchant == LEGACY:
        return or_(Payment.merchant == merchant, Payment.merchant.is_(None))
    return Payment.merchant == merchant


def is_of(merchant: str, row) -> bool:
    """A payment or refund of ours was made with `merchant` (None: the legacy one)."""
    return (row.merchant or LEGACY) == merchant


def payment_line(merchant: str, day: date, line: StatementLine, result: Comparison) -> None:
    payment = settlement.locked_payment(line.out_trade_no)
    if payment is None or not is_of(merchant, payment):
        compound_id = compound_of_merchant(merchant)
        result.count(compound_id, line)
        text = (
            f"微信支付 {line.traded_at:%H:%M} 收款 {yuan(line.settled_fen)}"
            f"（商户订单号 {line.out_trade_no}），本系统没有这笔订单；"
            "请向微信支付商户平台查明付款人后退款或补记"
        )
        if payment is not None:
            text = (
                f"微信支付 {line.traded_at:%H:%M} 收款 {yuan(line.settled_fen)}"
                f"（商户订单号 {line.out_trade_no}），本系统的这笔订单是用另一个收款商户"
                "下的单，不应出现在这个商户的对账单里；请向微信支付商户平台核对"
            )
        orphan(compound_id, "statement_missing_here", line, day, merchant, text)
        result.note(compound_id, text)
        return
    result.count(payment.compound_id, line)
    _book_fee(payment, line)
    if payment.status not in ("paid", "disputed"):
        text = (
            f"订单 {payment.out_trade_no}：微信支付已收款 {yuan(line.settled_fen)}，"
            "本系统尚未入账；系统会向微信支付查询后补记，若一天后仍未入账请核对"
        )
        settlement.anomaly(
            payment,
            "statement_missing_here",
            day=day.isoformat(),
            transaction_id=line.transaction_id,
            amount_fen=line.settled_fen,
        )
        result.note(payment.compound_id, text)
    elif payment.status == "paid" and payment.total_fen not in {line.order_fen, line.settled_fen}:
        text = (
            f"订单 {payment.out_trade_no}：金额不同，本系统 {yuan(payment.total_fen)}，"
            f"微信支付对账单 {yuan(line.order_fen)}；请核对后处理差额"
        )
        settlement.anomaly(
            payment,
            "statement_amount",
            day=day.isoformat(),
            expected=payment.total_fen,
            statement_fen=line.order_fen,
        )
        result.note(payment.compound_id, text)


def _book_fee(payment: Payment, line: StatementLine) -> None:
    """The line's service fee on the (locked) payment and in the ledger, once."""
    if payment.fee_fen is not None:
        return
    payment.fee_fen = line.fee_fen
    if line.fee_fen > 0:
        memo = f"微信支付手续费，订单 {payment.out_trade_no}（费率 {line.rate}）"
        ledger.append(
            payment.compound_id,
            [ledger.Movement(ledger.PAY_FEES, "debit", line.fee_fen, FEE_SOURCE, payment.id, memo)],
            None,
        )


def orphan(
    compound_id: int | None, kind: str, line: StatementLine, day: date, merchant: str, text: str
) -> None:
    """An anomaly for a line without a payment of ours, once per line."""
    key = line.out_refund_no if line.is_refund else line.transaction_id
    for details in db.session.scalars(
        select(PaymentAnomaly.details).where(
            PaymentAnomaly.payment_id.is_(None), PaymentAnomaly.kind == kind
        )
    ):
        if (details or {}).get("line") == key and details.get("merchant") == merchant:
            return
    db.session.add(
        PaymentAnomaly(
            compound_id=compound_id,
            payment_id=None,
            kind=kind,
            details={
                "line": key,
                "merchant": merchant,
                "day": day.isoformat(),
                "out_trade_no": line.out_trade_no,
                "transaction_id": line.transaction_id,
                "amount_fen": line.refund_fen if line.is_refund else line.settled_fen,
                "advice": text,
            },
        )
    )


def compound_of_merchant(merchant: str) -> int | None:
    """The one compound whose fees go to the merchant, or None (none, or several)."""
    query = select(Compound.id)
    if merchant == current_app.config["WECHAT_PAY_DEFAULT_MERCHANT"]:
        query = query.where(
            or_(
                Compound.pay_merchant == merchant,
                Compound.pay_merchant.is_(None),
                Compound.pay_merchant == "",
            )
        )
    else:
        query = query.where(Compound.pay_merchant == merchant)
    ids = db.session.scalars(query.limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def missing_there(merchant: str, statement: Statement, result: Comparison) -> None:
    """Payments we credited that no statement has. One credited within MIDNIGHT of the
    day's edges may be in the neighbouring day's statement: it waits until that one is
    read too (a payment found in any statement has its fee booked)."""
    start, end = day_bounds(statement.day)
    in_statement = {line.out_trade_no for line in statement.lines if not line.is_refund}
    candidates = db.session.scalars(
        select(Payment)
        .where(
            _of_merchant(merchant),
            Payment.status.in_(("paid", "disputed")),
            and_(Payment.paid_at >= start - MIDNIGHT, Payment.paid_at < end + MIDNIGHT),
            Payment.fee_fen.is_(None),
        )
        .order_by(Payment.id)
    ).all()
    for payment in candidates:
        if payment.out_trade_no in in_statement:
            continue
        days = possible_days(payment.paid_at)
        if not _all_read(merchant, days - {statement.day}):
            continue
        locked = settlement.locked_payment(payment.out_trade_no)
        paid = locked.paid_at.astimezone(SHANGHAI)
        text = (
            f"订单 {locked.out_trade_no}：本系统 {paid:%m-%d %H:%M} 已入账 "
            f"{yuan(locked.total_fen)}，微信支付对账单里没有；请在商户平台核对是否到账"
        )
        if len(days) > 1:
            text += "（已查过前后两天的对账单）"
        settlement.anomaly(
            locked,
            "statement_missing_there",
            day=statement.day.isoformat(),
            amount_fen=locked.total_fen,
        )
        result.note(locked.compound_id, text)


def possible_days(paid_at: datetime) -> set[date]:
    """The days whose statement may hold a payment we credited at `paid_at`."""
    local = paid_at.astimezone(SHANGHAI)
    days = {local.date()}
    start, end = day_bounds(local.date())
    if local - start < MIDNIGHT:
        days.add(local.date() - timedelta(days=1))
    if end - local <= MIDNIGHT:
        days.add(local.date() + timedelta(days=1))
    return days


def _all_read(merchant: str, days: set[date]) -> bool:
    if not days:
        return True
    read = db.session.scalars(
        select(PayStatement.day).where(
            PayStatement.merchant == merchant,
            PayStatement.day.in_(days),
            PayStatement.status == "compared",
        )
    ).all()
    return set(read) >= days
