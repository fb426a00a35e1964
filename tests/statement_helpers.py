"""The sandbox merchant's statement for tests: its orders and refunds emptied around a
test (other tests' paid orders would be lines of the same day), orders paid at chosen
Beijing times, and differences planted."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time

from server.clock import SHANGHAI
from server.models import Payment
from server.wechat.sandbox.pay import Order, SandboxRefund
from tests.timing import shanghai_date


@contextmanager
def own_statement(sandbox):
    """The sandbox merchants (v2 and v3) with no orders, refunds or plants but this
    test's; the v2 merchant's state is yielded."""
    merchants = [sandbox.pay, sandbox.pay_v3]
    saved = [(dict(pay.orders), dict(pay.refunds)) for pay in merchants]
    _empty(merchants)
    try:
        yield sandbox.pay
    finally:
        _empty(merchants)
        for pay, (orders, refunds) in zip(merchants, saved, strict=True):
            pay.orders.update(orders)
            pay.refunds.update(refunds)


def _empty(merchants) -> None:
    v2, v3 = merchants
    for pay in merchants:
        pay.orders.clear(), pay.refunds.clear()
    v2.bill_plants.clear()
    v3.statement_extra.clear(), v3.statement_changes.clear(), v3.statement_dropped.clear()


def beijing(days: int, clock: str) -> datetime:
    """`clock` ("HH:MM") in Beijing on the day `days` from today there (aware)."""
    return datetime.combine(shanghai_date(days), time.fromisoformat(clock), SHANGHAI)


def paid_at_wechat(pay, number: str, fen: int, when: datetime) -> Order:
    """An order the resident paid at WeChat Pay at `when` (as the sandbox keeps it)."""
    order = pay.orders.get(number) or Order(number, fen, "", "oPAYER", "wx" + number)
    order.state, order.paid_at = "SUCCESS", when.timestamp()
    order.transaction_id = order.transaction_id or "4200" + number[-12:].replace("-", "0")
    pay.orders[number] = order
    return order


def refunded_at_wechat(pay, payment: Payment, out_refund_no: str, fen: int, when: datetime):
    """A refund of `payment` WeChat Pay completed at `when`."""
    refund = SandboxRefund(
        out_refund_no,
        payment.out_trade_no,
        fen,
        payment.total_fen,
        "5030" + out_refund_no[-8:],
        status="SUCCESS",
        succeeded_at=when.timestamp(),
    )
    pay.refunds[out_refund_no] = refund
    return refund
