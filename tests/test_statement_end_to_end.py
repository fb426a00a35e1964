"""The daily statement end to end, as `make run` shows it: residents pay through the
WeChat sandbox, which notifies the running service over HTTP; a refund succeeds; the
next day's job reads WeChat Pay's statement over HTTP, books the fees once, and the
committee's payment report shows the statement — and exactly the one planted difference."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import func, select

from server.extensions import db
from server.jobs import tasks
from server.models import Compound, LedgerEntry, Payment, PaymentAnomaly, PayStatement, Refund
from server.services.money import ledger
from server.services.platform import demo
from server.wechat.statement import sandbox_fee
from tests.conftest import served_app
from tests.statement_helpers import own_statement, refunded_at_wechat
from tests.timing import month, shanghai_date


@pytest.fixture
def running(database_url, sandbox, committed_db):
    """The service over HTTP (notify URLs point at it) on the demo compound, the sandbox
    merchants' statements holding this test's trades only."""
    with own_statement(sandbox) as pay, served_app(database_url, sandbox) as (url, served):
        served.config["PUBLIC_BASE_URL"] = url.rstrip("/")
        demo.load()
        db.session.commit()
        cli = served.test_cli_runner()
        cli.invoke(args=["bills", "generate", "--period", month(0), "--compound", "demo"])
        yield {"url": url, "pay": pay}


def login(url, openid):
    db.session.commit()  # no read of ours holds SQLite while the service writes
    reply = requests.post(url + "api/v1/auth/login", json={"code": f"demo-{openid}"}, timeout=10)
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def pay_a_bill(url, sandbox, openid, pay="sandbox/pay") -> dict:
    headers = login(url, openid)
    bill = requests.get(url + "api/v1/bills", headers=headers, timeout=10).json()["items"][0]
    created = requests.post(
        url + "api/v1/payments", json={"bill_ids": [bill["id"]]}, headers=headers, timeout=10
    ).json()
    paid = requests.post(
        sandbox.url + pay, json={"out_trade_no": created["out_trade_no"]}, timeout=10
    ).json()
    assert paid["paid"], paid
    return created


def a_day_of_trade(running, sandbox) -> list[Payment]:
    url = running["url"]
    for openid in ("resident-1-1-101", "resident-1-1-102", "resident-1-1-201"):
        pay_a_bill(url, sandbox, openid)
    payments = db.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert [p.status for p in payments] == ["paid"] * 3
    first = payments[0]
    db.session.add(
        Refund(
            compound_id=first.compound_id,
            payment_id=first.id,
            out_refund_no="LL-RF-E2E-1",
            amount_fen=1000,
            reason="多缴",
            status="success",
            proposed_by_id=first.payer_id,
            settled_at=first.paid_at,
        )
    )
    db.session.commit()
    refunded_at_wechat(running["pay"], first, "LL-RF-E2E-1", 1000, first.paid_at)
    return payments


def the_next_days_job():
    with freeze_time(timedelta(days=1), tick=True):
        return tasks.read_pay_statements()


def fee_entries() -> list[tuple[str, int]]:
    return [
        (e.direction, e.amount_fen)
        for e in db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.account == ledger.PAY_FEES)
            .order_by(LedgerEntry.seq)
        )
    ]


def report_statement(url) -> dict:
    committee = login(url, "committee-1")
    reports = requests.get(
        url + "api/v1/compounds/demo/payment-reports", headers=committee, timeout=10
    ).json()["items"]
    return reports[0]["statement"] if reports else None


def test_a_day_that_agrees_books_its_fees_once(sandbox, running):
    payments = a_day_of_trade(running, sandbox)
    statuses = the_next_days_job()
    assert statuses == {
        f"{merchant} {shanghai_date(back)}": "compared"
        if (back, merchant) == (0, "default")
        else "not_ready"  # no trade: "No Bill Exist"
        for back in range(-3, 1)
        for merchant in ("default", "sandbox-v3")
    }
    fees = [sandbox_fee(p.total_fen) for p in payments]
    db.session.expire_all()
    assert [db.session.get(Payment, p.id).fee_fen for p in payments] == fees
    given_back = sandbox_fee(1000)
    assert sorted(fee_entries()) == sorted(
        [("debit", fee) for fee in fees] + [("credit", given_back)]
    )
    assert db.session.scalar(select(func.count()).select_from(PaymentAnomaly)) == 0
    paid_fen = sum(p.total_fen for p in payments)
    assert report_statement(running["url"]) == {
        "status": "compared",
        "lines": 4,
        "paid_fen": paid_fen,
        "refund_fen": 1000,
        "fee_fen": sum(fees) - given_back,
        "net_fen": paid_fen - 1000 - (sum(fees) - given_back),
        "differences": [],
    }
    the_next_days_job()  # rerun: nothing more
    assert len(fee_entries()) == 4
    db.session.commit()


def test_one_planted_difference_is_one_anomaly(sandbox, running):
    payments = a_day_of_trade(running, sandbox)
    running["pay"].bill_plants.append({"kind": "drop", "out_trade_no": payments[1].out_trade_no})
    the_next_days_job()
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_there", payments[1].id)
    (difference,) = report_statement(running["url"])["differences"]
    assert payments[1].out_trade_no in difference
    assert len(fee_entries()) == 3  # two payments and the refund's fee given back
    db.session.commit()


def test_not_ready_is_read_by_the_next_run(sandbox, running):
    a_day_of_trade(running, sandbox)
    day = shanghai_date(0).isoformat()
    running["pay"].bill_plants.append({"kind": "not_ready", "day": day})
    assert the_next_days_job()[f"default {day}"] == "not_ready"
    assert report_statement(running["url"]) is None  # nothing to show yet
    running["pay"].bill_plants.clear()
    with freeze_time(timedelta(days=2), tick=True):  # the day after: yesterday's retried
        statuses = tasks.read_pay_statements()
    assert statuses[f"default {day}"] == "compared"
    kept = db.session.scalars(
        select(PayStatement).where(
            PayStatement.day == shanghai_date(0), PayStatement.merchant == "default"
        )
    )
    assert [(row.status, row.line_count) for row in kept] == [("compared", 4)]
    assert report_statement(running["url"])["lines"] == 4


def test_a_compound_on_api_v3_gets_its_statement_compared_too(sandbox, running):
    demo = db.session.scalars(select(Compound).where(Compound.code == "demo")).one()
    demo.pay_merchant = "sandbox-v3"
    db.session.commit()
    url = running["url"]
    pay_a_bill(url, sandbox, "resident-1-1-101", "sandbox/pay/v3/pay")
    lost = pay_a_bill(url, sandbox, "resident-1-1-102", "sandbox/pay/v3/pay")
    payments = db.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert [(p.merchant, p.status) for p in payments] == [("sandbox-v3", "paid")] * 2
    sandbox.pay_v3.statement_dropped.add(lost["out_trade_no"])
    statuses = the_next_days_job()
    assert statuses[f"sandbox-v3 {shanghai_date(0)}"] == "compared"
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.payment_id) == ("statement_missing_there", payments[1].id)
    assert fee_entries() == [("debit", sandbox_fee(payments[0].total_fen))]
    statement = report_statement(url)
    assert (statement["lines"], statement["paid_fen"]) == (1, payments[0].total_fen)
    (difference,) = statement["differences"]
    assert lost["out_trade_no"] in difference
    db.session.commit()
