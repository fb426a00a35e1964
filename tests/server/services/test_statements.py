"""WeChat Pay's daily statement read from the sandbox over HTTP and compared with our
books: the fees booked once, every planted difference exactly one anomaly, midnight
payments looked for in the neighbouring day, "not ready" tried again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import PaymentAnomaly, PayStatement, ReconciliationReport, Refund
from server.services.disclosures import figures
from server.services.money import funds, ledger, statements
from server.wechat.sandbox.pay_refunds import refund_notification
from tests.factories import build_world, make_bill, make_payment, self_governance_fee
from tests.helpers import balance, ledger_entries
from tests.statement_helpers import beijing, own_statement, paid_at_wechat, refunded_at_wechat
from tests.timing import month, shanghai_date

YESTERDAY = -1


@pytest.fixture
def pay(sandbox):
    with own_statement(sandbox) as pay:
        yield pay


@pytest.fixture
def world(db_session):
    world = build_world("st")
    self_governance_fee(world.compound)
    db.session.flush()
    return world


FLATS = ("1-1-101", "1-1-102", "1-1-201", "1-2-101", "1-2-102", "1-2-201")


def paid(world, pay, number: str, fen: int, *, ours: str, theirs: str | None = None):
    """A payment of `fen` (a bill of the flat its number's last digit picks) we credited
    at `ours` ("days:HH:MM", days from today in Beijing) that WeChat Pay dates at
    `theirs` (default: the same moment)."""
    order = paid_at_wechat(pay, number, fen, _when(theirs or ours))
    bill = make_bill(world, FLATS[int(number[-1]) - 1], month(0), amount_fen=fen)
    return make_payment(
        world,
        [bill],
        "paid",
        out_trade_no=number,
        paid_at=_when(ours),
        transaction_id=order.transaction_id,
    )


def _when(spec: str):
    days, clock = spec.split(":", 1)
    return beijing(int(days), clock)


def read(days: int = YESTERDAY) -> PayStatement:
    return statements.read_one("default", shanghai_date(days))


def anomalies(kind=None) -> list[PaymentAnomaly]:
    query = select(PaymentAnomaly).order_by(PaymentAnomaly.id)
    if kind:
        query = query.where(PaymentAnomaly.kind == kind)
    return list(db.session.scalars(query))


def test_a_day_that_agrees_books_its_fees_once_and_no_anomaly(world, pay):
    first = paid(world, pay, "LL-ST-001", 2533, ours="-1:09:15")
    second = paid(world, pay, "LL-ST-002", 10000, ours="-1:15:40")
    kept = read()
    assert (kept.status, kept.line_count, kept.settled_fen, kept.fee_fen) == (
        "compared",
        2,
        12533,
        75,
    )
    assert anomalies() == []
    assert (first.fee_fen, second.fee_fen) == (15, 60)
    fees = ledger_entries(ledger.PAY_FEES)
    assert [(e.direction, e.amount_fen, e.memo) for e in fees] == [
        ("debit", 15, "微信支付手续费，订单 LL-ST-001（费率 0.60%）"),
        ("debit", 60, "微信支付手续费，订单 LL-ST-002（费率 0.60%）"),
    ]
    again = read()
    assert again.id == kept.id
    assert len(ledger_entries(ledger.PAY_FEES)) == 2
    assert balance(ledger.PAY_FEES) == -75
    fund = next(f for f in funds.balances(world.compound.id) if f.account == ledger.PAY_FEES)
    assert (fund.name, fund.balance_fen, fund.spent_fen_month) == ("微信支付手续费", -75, 75)
    section = (
        db.session.scalars(
            select(ReconciliationReport).where(
                ReconciliationReport.compound_id == world.compound.id
            )
        )
        .one()
        .summary["statement"]
    )
    assert section == {
        "status": "compared",
        "lines": 2,
        "paid_fen": 12533,
        "refund_fen": 0,
        "fee_fen": 75,
        "net_fen": 12458,
        "differences": [],
    }


def test_a_dropped_line_is_one_anomaly_missing_there(world, pay):
    paid(world, pay, "LL-ST-011", 2533, ours="-1:09:15")
    lost = paid(world, pay, "LL-ST-012", 3000, ours="-1:10:00")
    pay.bill_plants.append({"kind": "drop", "out_trade_no": "LL-ST-012"})
    kept = read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_there", lost.id)
    (text,) = [d["text"] for d in kept.differences if "text" in d]
    assert "订单 LL-ST-012" in text
    assert "微信支付对账单里没有" in text
    assert lost.fee_fen is None
    read()
    assert len(anomalies()) == 1


def test_a_foreign_line_is_one_anomaly_of_the_compound_using_the_merchant(world, pay):
    paid(world, pay, "LL-ST-021", 2533, ours="-1:09:15")
    day = shanghai_date(YESTERDAY).isoformat()
    pay.bill_plants.append(
        {"kind": "add", "out_trade_no": "LL-ELSE-1", "total_fen": 880, "day": day}
    )
    read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id, anomaly.compound_id) == (
        "statement_missing_here",
        None,
        world.compound.id,
    )
    assert anomaly.details["out_trade_no"] == "LL-ELSE-1"
    assert "本系统没有这笔订单" in anomaly.details["advice"]
    db.session.delete(db.session.scalars(select(PayStatement)).one())  # read it afresh
    read()
    assert len(anomalies()) == 1  # the same line: not twice


def test_another_amount_and_another_fee(world, pay):
    changed = paid(world, pay, "LL-ST-031", 2533, ours="-1:09:15")
    dear = paid(world, pay, "LL-ST-032", 3000, ours="-1:09:30")
    pay.bill_plants += [
        {"kind": "amount", "out_trade_no": "LL-ST-031", "total_fen": 2000},
        {"kind": "fee", "out_trade_no": "LL-ST-032", "fee_fen": 30},
    ]
    read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_amount", changed.id)
    assert (anomaly.details["expected"], anomaly.details["statement_fen"]) == (2533, 2000)
    assert dear.fee_fen == 30  # what WeChat Pay charged, whatever the rate
    assert balance(ledger.PAY_FEES) == -(12 + 30)


def test_a_trade_paid_here_unpaid_is_told_not_settled(world, pay):
    bill = make_bill(world, amount_fen=2533)
    pending = make_payment(world, [bill], "pending", out_trade_no="LL-ST-041")
    paid_at_wechat(pay, "LL-ST-041", 2533, beijing(YESTERDAY, "11:00"))
    read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_here", pending.id)
    assert pending.status == "pending"  # the order query credits it, not the statement


def test_midnight_payments_are_looked_for_in_the_neighbouring_day(world, pay):
    # Paid at 23:58, we heard at 00:03: WeChat Pay lists it the day before we do.
    late = paid(world, pay, "LL-ST-051", 2533, ours="0:00:03", theirs="-1:23:58")
    lost = paid(world, pay, "LL-ST-052", 3000, ours="0:00:05", theirs="-1:23:59")
    paid(world, pay, "LL-ST-053", 1000, ours="0:09:00")
    pay.bill_plants.append({"kind": "drop", "out_trade_no": "LL-ST-052"})
    today = read(0)
    assert [d for d in today.differences if "text" in d] == []  # the day before: not read
    read(YESTERDAY)
    assert late.fee_fen == 15
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_there", lost.id)


def test_refunds_are_compared_and_their_fee_given_back(world, pay):
    payment = paid(world, pay, "LL-ST-061", 10000, ours="-1:09:00")
    refund = Refund(
        compound_id=world.compound.id,
        payment_id=payment.id,
        out_refund_no="LL-RF-061",
        amount_fen=4000,
        reason="多缴",
        status="success",
        proposed_by_id=world.people["committee"].id,
        settled_at=beijing(YESTERDAY, "15:00"),
    )
    db.session.add(refund)
    db.session.flush()
    refunded_at_wechat(pay, payment, "LL-RF-061", 4000, beijing(YESTERDAY, "15:00"))
    refunded_at_wechat(pay, payment, "LL-RF-062", 1000, beijing(YESTERDAY, "16:00"))
    kept = read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.details["out_refund_no"]) == ("statement_refund", "LL-RF-062")
    fees = [(e.direction, e.amount_fen) for e in ledger_entries(ledger.PAY_FEES)]
    assert fees == [("debit", 60), ("credit", 24)]  # LL-RF-062 has no refund of ours
    assert (kept.refund_fen, kept.fee_fen) == (5000, 60 - 24 - 6)
    read()
    assert len(ledger_entries(ledger.PAY_FEES)) == 2


def test_not_ready_is_tried_again(world, pay):
    paid(world, pay, "LL-ST-071", 2533, ours="-1:09:15")
    pay.bill_plants.append({"kind": "not_ready", "day": shanghai_date(YESTERDAY).isoformat()})
    assert read().status == "not_ready"
    pay.bill_plants.clear()
    kept = read()
    assert (kept.status, kept.line_count) == ("compared", 1)


def test_the_disclosure_shows_the_fees_as_spending(world, pay):
    paid(world, pay, "LL-ST-081", 10000, ours="-1:09:15")
    read()
    head = ledger_entries()[-1].seq
    fund = next(
        f
        for f in figures.compute(world.compound.id, month(0), head)["funds"]
        if f["account"] == ledger.PAY_FEES
    )
    assert fund["name"] == "微信支付手续费"
    assert [(line["title"], line["amount_fen"]) for line in fund["expenses"]] == [
        ("微信支付手续费", 60)
    ]


def a_refund(world, payment, number: str, fen: int, status: str, at) -> Refund:
    refund = Refund(
        compound_id=world.compound.id,
        payment_id=payment.id,
        out_refund_no=number,
        amount_fen=fen,
        reason="多缴",
        status=status,
        proposed_by_id=world.people["committee"].id,
        settled_at=at if status == "success" else None,
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def test_a_refund_unfinished_here_or_missing_there_is_told(world, pay):
    first = paid(world, pay, "LL-ST-091", 10000, ours="-2:09:00")
    second = paid(world, pay, "LL-ST-092", 5000, ours="-2:09:30")
    a_refund(world, first, "LL-RF-091", 4000, "processing", None)
    refunded_at_wechat(pay, first, "LL-RF-091", 4000, beijing(YESTERDAY, "15:00"))
    a_refund(world, second, "LL-RF-092", 1000, "success", beijing(YESTERDAY, "16:00"))
    kept = read()
    assert [(a.kind, a.payment_id) for a in anomalies()] == [
        ("statement_refund", first.id),
        ("statement_refund", second.id),
    ]
    texts = [d["text"] for d in kept.differences if "text" in d]
    assert "微信支付已退 40.00 元，本系统记为“退款中”" in texts[0]
    assert "本系统记为已退 10.00 元，微信支付对账单里没有" in texts[1]
    assert ledger_entries(ledger.PAY_FEES) == []  # no fee given back on what is not settled


def test_a_line_of_an_order_made_with_another_merchant_is_not_booked_on_it(world, pay):
    """A statement line whose order number is one of ours made with ANOTHER merchant
    (the money went to another account): its fee is not booked on our order, and the
    line is a difference, not a match."""
    elsewhere = paid(world, pay, "LL-ST-091", 2533, ours="-1:09:15")
    elsewhere.merchant = SANDBOX_V3_MERCHANT
    db.session.flush()
    read()
    assert elsewhere.fee_fen is None
    assert ledger_entries(ledger.PAY_FEES) == []
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_here", None)
    assert anomaly.details["out_trade_no"] == "LL-ST-091"
    assert "另一个收款商户" in anomaly.details["advice"]


def test_a_refund_line_of_another_order_is_a_difference_not_a_match(world, pay):
    """A statement refund line with our refund number but another order's: not counted
    as that refund (its fee not given back on it), told as a difference."""
    ours = paid(world, pay, "LL-ST-071", 10000, ours="-1:09:00")
    other = paid(world, pay, "LL-ST-072", 5000, ours="-1:09:30")
    db.session.add(
        Refund(
            compound_id=world.compound.id,
            payment_id=ours.id,
            out_refund_no="LL-RF-071",
            amount_fen=4000,
            reason="多缴",
            status="success",
            proposed_by_id=world.people["committee"].id,
            settled_at=beijing(YESTERDAY, "15:00"),
        )
    )
    db.session.flush()
    refunded_at_wechat(pay, other, "LL-RF-071", 4000, beijing(YESTERDAY, "15:00"))
    read()
    (anomaly,) = anomalies()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_refund", other.id)
    fees = [(e.direction, e.amount_fen) for e in ledger_entries(ledger.PAY_FEES)]
    assert fees == [("debit", 60), ("debit", 30)]  # no fee given back on LL-RF-071


def test_a_refund_heard_of_late_is_dated_when_wechat_pay_made_it(client, world, pay):
    """WeChat Pay gave a refund back yesterday afternoon but its notification reached us
    only today (it retries for a day): yesterday's statement holds it, and today's
    statement does not call it missing — the refund is dated when WeChat Pay made it."""
    payment = paid(world, pay, "LL-ST-101", 10000, ours="-1:09:00")
    refund = Refund(
        compound_id=world.compound.id,
        payment_id=payment.id,
        merchant="default",
        out_refund_no="LL-RF-101",
        amount_fen=4000,
        reason="多缴",
        status="processing",
        proposed_by_id=world.people["committee"].id,
        confirmed_by_id=world.people["committee_2"].id,
    )
    db.session.add(refund)
    db.session.commit()
    there = refunded_at_wechat(pay, payment, "LL-RF-101", 4000, beijing(YESTERDAY, "15:00"))
    answer = client.post(
        "/api/v1/payments/wechat/refund-notify/default",
        data=refund_notification(pay, there),
        content_type="text/xml",
    )
    assert b"SUCCESS" in answer.data
    db.session.refresh(refund)
    assert refund.status == "success"
    assert refund.settled_at == beijing(YESTERDAY, "15:00")
    read()
    paid(world, pay, "LL-ST-102", 2533, ours="0:00:30")
    read(0)
    assert anomalies() == []
