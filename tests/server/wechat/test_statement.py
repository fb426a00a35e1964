"""WeChat Pay API v2's daily statement through wechatpy, against the sandbox over HTTP:
the day's payments and refunds with their fees, "No Bill Exist", refusals, and text
that is not a statement."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.clock import SHANGHAI
from server.config import SANDBOX_APPID, SANDBOX_MCH_ID, SANDBOX_PAY_KEY
from server.wechat import (
    PayRejected,
    StatementNotReady,
    StatementUnreadable,
    WeChatPayV2,
    WeChatUnavailable,
)
from server.wechat.sandbox.pay import Order, SandboxRefund
from tests.timing import shanghai_date


@pytest.fixture
def pay(sandbox):
    """The sandbox merchant's orders and refunds, empty for this test only."""
    saved = dict(sandbox.pay.orders), dict(sandbox.pay.refunds)
    sandbox.pay.orders.clear()
    sandbox.pay.refunds.clear()
    sandbox.pay.bill_plants.clear()
    yield sandbox.pay
    sandbox.pay.orders.clear()
    sandbox.pay.refunds.clear()
    sandbox.pay.bill_plants.clear()
    sandbox.pay.orders.update(saved[0])
    sandbox.pay.refunds.update(saved[1])


def gateway(sandbox, api_key=SANDBOX_PAY_KEY) -> WeChatPayV2:
    return WeChatPayV2(SANDBOX_APPID, SANDBOX_MCH_ID, api_key, api_base=sandbox.url, timeout=5)


def paid_order(pay, number: str, fen: int, at: datetime) -> Order:
    order = Order(number, fen, "", "oPAYER", "wx1", state="SUCCESS", paid_at=at.timestamp())
    order.transaction_id = "4200" + number[-8:]
    pay.orders[number] = order
    return order


def at(days: int, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(shanghai_date(days), datetime.min.time(), SHANGHAI).replace(
        hour=hour, minute=minute
    )


def test_a_day_of_payments_and_a_refund_with_their_fees(sandbox, pay):
    paid_order(pay, "LLST00000001", 2533, at(-1, "09:15"))
    paid_order(pay, "LLST00000002", 10000, at(-1, "23:59"))
    paid_order(pay, "LLST00000003", 500, at(0, "00:01"))  # the next day's
    pay.refunds["LLRF1"] = SandboxRefund(
        "LLRF1",
        "LLST00000002",
        4000,
        10000,
        "5030001",
        status="SUCCESS",
        succeeded_at=at(-1, "20:00").timestamp(),
    )
    statement = gateway(sandbox).statement(shanghai_date(-1))
    assert [(line.out_trade_no, line.trade_state) for line in statement.lines] == [
        ("LLST00000001", "SUCCESS"),
        ("LLST00000002", "REFUND"),
        ("LLST00000002", "SUCCESS"),
    ]
    first, refund, second = statement.lines
    assert (first.settled_fen, first.fee_fen, first.rate) == (2533, 15, "0.60%")  # 15.198
    assert (second.settled_fen, second.fee_fen) == (10000, 60)
    assert (refund.refund_fen, refund.fee_fen, refund.out_refund_no) == (4000, -24, "LLRF1")
    assert (statement.settled_fen, statement.refund_fen, statement.fee_fen) == (12533, 4000, 51)
    assert first.traded_at == at(-1, "09:15")


def test_a_day_without_trade_is_not_ready(sandbox, pay):
    paid_order(pay, "LLST00000004", 2533, at(0, "09:00"))
    with pytest.raises(StatementNotReady):
        gateway(sandbox).statement(shanghai_date(-1))


def test_planted_differences_show_in_the_text(sandbox, pay):
    paid_order(pay, "LLST00000005", 2533, at(-1, "10:00"))
    paid_order(pay, "LLST00000006", 3000, at(-1, "11:00"))
    day = shanghai_date(-1).isoformat()
    pay.bill_plants += [
        {"kind": "drop", "out_trade_no": "LLST00000005"},
        {"kind": "add", "out_trade_no": "LLFOREIGN01", "total_fen": 777, "day": day},
        {"kind": "fee", "out_trade_no": "LLST00000006", "fee_fen": 99},
    ]
    lines = gateway(sandbox).statement(shanghai_date(-1)).lines
    assert [(line.out_trade_no, line.settled_fen, line.fee_fen) for line in lines] == [
        ("LLST00000006", 3000, 99),
        ("LLFOREIGN01", 777, 5),
    ]
    again = gateway(sandbox).statement(shanghai_date(-1)).lines
    assert again[1].transaction_id == lines[1].transaction_id  # the same line each time
    pay.bill_plants.append({"kind": "not_ready", "day": day})
    with pytest.raises(StatementNotReady):
        gateway(sandbox).statement(shanghai_date(-1))


def test_a_wrongly_signed_request_is_refused(sandbox, pay):
    paid_order(pay, "LLST00000007", 2533, at(-1, "10:00"))
    with pytest.raises(PayRejected):
        gateway(sandbox, api_key="0" * 32).statement(shanghai_date(-1))


def test_text_that_is_no_statement_is_unreadable(sandbox, pay):
    paid_order(pay, "LLST00000008", 2533, at(-1, "10:00"))
    pay.bill_plants.append({"kind": "garble", "day": shanghai_date(-1).isoformat()})
    with pytest.raises(StatementUnreadable):
        gateway(sandbox).statement(shanghai_date(-1))


def test_an_answer_that_is_no_answer_is_unavailable(sandbox, pay):
    paid_order(pay, "LLST00000009", 2533, at(-1, "10:00"))
    sandbox.fault("pay/downloadbill", "malformed")
    with pytest.raises(WeChatUnavailable):
        gateway(sandbox).statement(shanghai_date(-1))
    sandbox.fault("pay/downloadbill", "status", 503)
    with pytest.raises(WeChatUnavailable):
        gateway(sandbox).statement(shanghai_date(-1))
