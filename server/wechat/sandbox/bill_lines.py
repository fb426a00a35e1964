"""The lines of a sandbox merchant's daily statement, the same for API v2 and v3: a
line for every order paid that Beijing day, one for every refund that succeeded that
day, each at WeChat Pay's standard fee (0.6%; given back on a refund). What a test
plants on top is each version's own (pay_bills.py, pay_v3_bills.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from server.wechat.sandbox.pay import BEIJING, Order, SandboxRefund
from server.wechat.statement import StatementLine, sandbox_fee

RATE = "0.60%"


def day_of(epoch: float | None) -> date | None:
    return datetime.fromtimestamp(epoch, BEIJING).date() if epoch else None


def day_lines(
    appid: str,
    mch_id: str,
    orders: dict[str, Order],
    refunds: Iterable[SandboxRefund],
    day: date,
) -> list[StatementLine]:
    """The day's lines before any plant (call with the merchant's lock held)."""
    lines = [
        payment_line(appid, mch_id, order)
        for order in orders.values()
        if order.paid_at is not None and day_of(order.paid_at) == day
    ]
    lines += [
        refund_line(appid, mch_id, refund, orders.get(refund.out_trade_no))
        for refund in refunds
        if refund.status == "SUCCESS" and day_of(refund.succeeded_at) == day
    ]
    return lines


def payment_line(appid: str, mch_id: str, order: Order) -> StatementLine:
    return StatementLine(
        traded_at=datetime.fromtimestamp(order.paid_at, BEIJING).replace(microsecond=0),
        appid=appid,
        mch_id=mch_id,
        transaction_id=order.transaction_id or "",
        out_trade_no=order.out_trade_no,
        trade_state="SUCCESS",
        settled_fen=order.total_fee,
        order_fen=order.total_fee,
        refund_id=None,
        out_refund_no=None,
        refund_fen=0,
        refund_status=None,
        fee_fen=sandbox_fee(order.total_fee),
        rate=RATE,
    )


def refund_line(
    appid: str, mch_id: str, refund: SandboxRefund, order: Order | None
) -> StatementLine:
    return StatementLine(
        traded_at=datetime.fromtimestamp(refund.succeeded_at, BEIJING).replace(microsecond=0),
        appid=appid,
        mch_id=mch_id,
        transaction_id=(order.transaction_id if order else None) or "",
        out_trade_no=refund.out_trade_no,
        trade_state="REFUND",
        settled_fen=refund.total_fen,
        order_fen=refund.total_fen,
        refund_id=refund.refund_id,
        out_refund_no=refund.out_refund_no,
        refund_fen=refund.refund_fen,
        refund_status="SUCCESS",
        fee_fen=-sandbox_fee(refund.refund_fen),
        rate=RATE,
    )
