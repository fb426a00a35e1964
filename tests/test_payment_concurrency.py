"""1,000 notifications for 100 orders — each sent 10 times, shuffled, over 32 concurrent
connections to a real HTTP server — credit each order exactly once.

(Meaningful on MariaDB, where row locks decide; on SQLite the write lock serialises.)
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import delete, func, select

from server import create_app
from server.extensions import db
from server.models import Bill, FeeItem, LedgerEntry, LedgerHead, Payment, PaymentAnomaly
from server.services import fees, ledger, payments
from server.services.access import load_principal
from tests.conftest import app_env, serve_in_thread
from tests.factories import build_world

ORDERS = 100
REPEATS = 10
CONNECTIONS = 32


@pytest.fixture
def orders(app, sandbox, committed_db):
    world = build_world("cc")
    db.session.add(
        FeeItem(
            compound_id=world.compound.id,
            code="self_governance",
            name="自治管理费",
            kind="per_area",
            rate="0.35",
            cycle="monthly",
            vacant_rule="charge",
        )
    )
    db.session.commit()
    months = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(ORDERS // 2)]
    for month in months:
        fees.generate_bills(month, "cc")
    payers = [world.people["resident_1_1"].id, world.people["resident_1_2"].id]
    households = [world.household("1-1-101").id, world.household("1-2-101").id]
    created = []
    for payer, household in zip(payers, households, strict=True):
        bills = db.session.scalars(select(Bill.id).where(Bill.household_id == household)).all()
        for bill_id in bills:
            result = payments.create_payment(
                load_principal(payer), [bill_id], "127.0.0.1", _gateway(app)
            )
            created.append((result.payment.out_trade_no, result.payment.total_fen))
    db.session.commit()
    assert len(created) == ORDERS
    return created


def _gateway(app):
    from server.wechat import payment_gateway

    return payment_gateway()


@pytest.fixture
def server(database_url, sandbox):
    """The app behind a real threaded HTTP server, with a pool for 32 connections."""
    app = create_app(app_env(database_url, sandbox, DATABASE_POOL_SIZE="40"))
    url, http = serve_in_thread(app)
    yield url
    http.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("chain", ["started", "not_started"])
def test_a_thousand_notifications_credit_a_hundred_orders_once(sandbox, orders, server, chain):
    if chain == "not_started":
        # The compound's first money ever: many notifications race to start its chain.
        db.session.execute(delete(LedgerHead))
        db.session.commit()
    bodies = []
    for out_trade_no, _total in orders:
        order = sandbox.pay.orders[out_trade_no]
        order.state, order.transaction_id = "SUCCESS", f"4200{out_trade_no[-16:]}"
        bodies += [sandbox.pay.notification(order) for _ in range(REPEATS)]
    random.Random(20261201).shuffle(bodies)
    sessions: dict[int, requests.Session] = {}

    def send(body: bytes) -> tuple[int, bytes]:
        import threading

        session = sessions.setdefault(threading.get_ident(), requests.Session())
        reply = session.post(
            server + "api/v1/payments/wechat/notify",
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=30,
        )
        return reply.status_code, reply.content

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        replies = list(pool.map(send, bodies))
    elapsed = time.monotonic() - started
    print(f"\n{len(bodies)} notifications in {elapsed:.1f} s ({len(bodies) / elapsed:.0f}/s)")

    failures = [(status, content[:200]) for status, content in replies if b"SUCCESS" not in content]
    assert failures == []
    db.session.commit()
    paid = db.session.scalars(select(Payment).where(Payment.status == "paid")).all()
    assert len(paid) == ORDERS
    assert len({p.transaction_id for p in paid}) == ORDERS
    assert (
        db.session.scalar(select(func.count()).select_from(Bill).where(Bill.status == "paid"))
        == ORDERS
    )
    entries = db.session.scalars(select(LedgerEntry)).all()
    assert len(entries) == ORDERS
    assert sum(e.amount_fen for e in entries) == sum(total for _, total in orders)
    assert ledger.verify("cc").ok
    assert db.session.scalars(select(PaymentAnomaly)).all() == []
    db.session.commit()
