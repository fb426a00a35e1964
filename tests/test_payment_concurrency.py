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
from server.models import Bill, LedgerEntry, LedgerHead, Payment, PaymentAnomaly, User
from server.services.money import fees, ledger, payments, pending_orders, settlement
from server.services.people import auth
from server.services.people.access import load_principal
from tests.conftest import app_env, served_app
from tests.factories import build_world, self_governance_fee
from tests.timing import shanghai_date

ORDERS = 100
REPEATS = 10
CONNECTIONS = 32


@pytest.fixture
def orders(app, sandbox, committed_db):
    world = build_world("cc")
    self_governance_fee(world.compound)
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
            result = payments.create_payment(load_principal(payer), [bill_id], "127.0.0.1")
            created.append((result.payment.out_trade_no, result.payment.total_fen))
    db.session.commit()
    assert len(created) == ORDERS
    return created


@pytest.fixture
def server(database_url, sandbox):
    """The app behind a real threaded HTTP server, with a pool for 32 connections."""
    with served_app(database_url, sandbox, DATABASE_POOL_SIZE="40") as (url, _app):
        yield url


def notify_over_http(server: str, body: bytes) -> bytes:
    """WeChat Pay's notification as it arrives: XML posted to the served app."""
    return requests.post(
        server + "api/v1/payments/wechat/notify",
        data=body,
        headers={"Content-Type": "text/xml"},
        timeout=30,
    ).content


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


# ----- races between the ways a bill gets paid -----

RACES = 20


@pytest.fixture
def racing_world(app, sandbox, committed_db):
    """Twenty months of bills for 1-1-101, whose resident and liaison both act."""
    world = build_world("rr")
    self_governance_fee(world.compound)
    db.session.commit()
    for i in range(RACES):
        fees.generate_bills(f"{2025 + i // 12}-{i % 12 + 1:02d}", "rr")
    bills = db.session.scalars(
        select(Bill.id).where(Bill.household_id == world.household("1-1-101").id)
    ).all()
    db.session.commit()
    return world, bills


@pytest.mark.slow
def test_online_and_offline_payments_racing_for_a_bill_never_both_hold_it(
    sandbox, racing_world, server
):
    world, bills = racing_world
    resident, liaison = world.headers("resident_1_1"), world.headers("liaison_1_1")

    def pay_online(bill_id):
        reply = requests.post(
            server + "api/v1/payments", json={"bill_ids": [bill_id]}, headers=resident, timeout=30
        )
        return "online", bill_id, reply.status_code

    def pay_cash(bill_id):
        body = {
            "bill_ids": [bill_id],
            "method": "cash",
            "amount_fen": 2533,
            "paid_on": shanghai_date(-1).isoformat(),
        }
        reply = requests.post(
            server + "api/v1/offline-payments", json=body, headers=liaison, timeout=30
        )
        return "offline", bill_id, reply.status_code

    attempts = [(pay_online, b) for b in bills] + [(pay_cash, b) for b in bills]
    random.Random(7).shuffle(attempts)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda attempt: attempt[0](attempt[1]), attempts))

    assert {status for _, _, status in results} <= {201, 409}
    winners = {bill: way for way, bill, status in results if status == 201}
    assert sorted(winners) == sorted(bills)  # every bill went to exactly one of the two
    assert len([r for r in results if r[2] == 201]) == RACES
    db.session.commit()
    for bill in db.session.scalars(select(Bill).where(Bill.id.in_(bills))):
        kind = bill.held_by.split(":")[0]
        assert (bill.status, kind) == (
            "pending",
            {"online": "payment", "offline": "offline"}[winners[bill.id]],
        )
    db.session.commit()


@pytest.mark.slow
def test_reconciliation_racing_the_notifications_credits_each_order_once(
    database_url, sandbox, orders, server
):
    for out_trade_no, _total in orders:
        order = sandbox.pay.orders[out_trade_no]
        order.state, order.transaction_id = "SUCCESS", f"4200{out_trade_no[-16:]}"
    bodies = [sandbox.pay.notification(sandbox.pay.orders[no]) for no, _ in orders] * 2
    random.Random(11).shuffle(bodies)  # the reconciler walks the orders in id order

    def send(body: bytes) -> bytes:
        return notify_over_http(server, body)

    reconcilers = [create_app(app_env(database_url, sandbox)) for _ in range(2)]

    def reconcile_round(reconciler):
        with reconciler.app_context():
            try:
                return pending_orders.reconcile(min_age=0).credited
            finally:
                db.session.remove()
                db.engine.dispose()

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        rounds = [pool.submit(reconcile_round, reconciler) for reconciler in reconcilers]
        replies = list(pool.map(send, bodies))
        credited_by_reconcile = sum(r.result() for r in rounds)

    assert all(b"SUCCESS" in reply for reply in replies)
    db.session.commit()
    paid = db.session.scalars(select(Payment).where(Payment.status == "paid")).all()
    assert len(paid) == ORDERS
    by_reconcile = [p for p in paid if p.credited_by == "reconcile"]
    assert len(by_reconcile) == credited_by_reconcile
    entries = db.session.scalars(select(LedgerEntry)).all()
    assert len(entries) == ORDERS
    assert sum(e.amount_fen for e in entries) == sum(total for _, total in orders)
    assert db.session.scalars(select(PaymentAnomaly)).all() == []
    print(f"\n{credited_by_reconcile} of {ORDERS} orders credited by reconciliation")
    db.session.commit()


def test_closing_an_order_locks_its_own_bills_only(app, sandbox, racing_world, database_url):
    """Under REPEATABLE READ an UPDATE that scans bills locks every row it reads: a
    close must reach its bills by primary key, or it holds up every household."""
    if not database_url.startswith("mysql"):
        pytest.skip("row locks: MariaDB only")
    world, bills = racing_world
    payment = payments.create_payment(
        load_principal(world.people["resident_1_1"].id), [bills[0]], "127.0.0.1"
    ).payment
    other = db.session.scalar(
        select(Bill.id).where(Bill.household_id == world.household("1-2-101").id)
    )
    db.session.commit()
    locked = settlement.locked_payment(payment.out_trade_no)
    settlement.close(locked, locked.created_at)
    db.session.flush()  # the close's UPDATE runs and holds its locks, uncommitted
    try:
        with db.engine.connect() as elsewhere:
            elsewhere.exec_driver_sql("SET SESSION innodb_lock_wait_timeout = 1")
            row = elsewhere.execute(
                select(Bill.id).where(Bill.id == other).with_for_update()
            ).scalar()
            assert row == other  # another household's bill is not waiting on the close
            elsewhere.rollback()
    finally:
        db.session.rollback()


@pytest.mark.slow
def test_payers_cancelling_orders_wechat_was_just_paid_for_never_lose_or_double_a_payment(
    sandbox, orders, server
):
    """Every order paid at WeChat Pay; its notification and its payer's cancel (which asks
    WeChat Pay first, finds it paid, and credits it) race: each is credited once."""
    tokens = {}
    for out_trade_no, _total in orders:
        order = sandbox.pay.orders[out_trade_no]
        order.state, order.transaction_id = "SUCCESS", f"4200{out_trade_no[-16:]}"
    payments_by_no = {
        p.out_trade_no: (p.id, p.payer_id) for p in db.session.scalars(select(Payment))
    }
    for _payment_id, payer_id in payments_by_no.values():
        tokens.setdefault(payer_id, auth.issue_token(db.session.get(User, payer_id))[0])
    db.session.commit()

    def notify_it(out_trade_no):
        body = sandbox.pay.notification(sandbox.pay.orders[out_trade_no])
        reply = requests.post(
            server + "api/v1/payments/wechat/notify",
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=30,
        )
        return "notify", reply.status_code, b"SUCCESS" in reply.content

    def cancel_it(out_trade_no):
        payment_id, payer_id = payments_by_no[out_trade_no]
        reply = requests.post(
            server + f"api/v1/payments/{payment_id}/cancel",
            headers={"Authorization": f"Bearer {tokens[payer_id]}"},
            timeout=30,
        )
        return "cancel", reply.status_code, reply.json()["code"]

    attempts = [(notify_it, no) for no, _ in orders] + [(cancel_it, no) for no, _ in orders]
    random.Random(13).shuffle(attempts)
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        results = list(pool.map(lambda attempt: attempt[0](attempt[1]), attempts))

    assert {r for r in results if r[0] == "notify"} == {("notify", 200, True)}
    assert {r for r in results if r[0] == "cancel"} == {("cancel", 409, "payment_already_paid")}
    db.session.commit()
    paid = db.session.scalars(select(Payment).where(Payment.status == "paid")).all()
    assert len(paid) == ORDERS
    entries = db.session.scalars(select(LedgerEntry)).all()
    assert len(entries) == ORDERS
    assert sum(e.amount_fen for e in entries) == sum(total for _, total in orders)
    assert db.session.scalars(select(PaymentAnomaly)).all() == []
    assert ledger.verify("cc").ok
    db.session.commit()


@pytest.mark.slow
def test_two_orders_notified_at_once_with_one_transaction_id_credit_it_once(
    sandbox, orders, server
):
    """Fifty pairs of orders, each pair notified with one WeChat Pay transaction id, every
    notification five times, shuffled over 32 connections: each id is credited to one
    order of its pair, the other stays pending with a duplicate_transaction anomaly."""
    pairs = [orders[i : i + 2] for i in range(0, ORDERS, 2)]
    bodies = []
    for index, pair in enumerate(pairs):
        for out_trade_no, _total in pair:
            order = sandbox.pay.orders[out_trade_no]
            order.state, order.transaction_id = "SUCCESS", f"4200{index:016d}"
            bodies += [sandbox.pay.notification(order) for _ in range(5)]
    random.Random(20261206).shuffle(bodies)

    def send(body: bytes) -> bytes:
        return notify_over_http(server, body)

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        replies = list(pool.map(send, bodies))

    assert [reply[:200] for reply in replies if b"SUCCESS" not in reply] == []
    db.session.commit()
    by_no = {p.out_trade_no: p for p in db.session.scalars(select(Payment))}
    credited_total = 0
    for index, pair in enumerate(pairs):
        statuses = sorted(by_no[no].status for no, _ in pair)
        assert statuses == ["paid", "pending"], (index, statuses)
        (paid,) = [by_no[no] for no, _ in pair if by_no[no].status == "paid"]
        assert paid.transaction_id == f"4200{index:016d}"
        credited_total += paid.total_fen
    anomalies = db.session.scalars(select(PaymentAnomaly)).all()
    assert {a.kind for a in anomalies} == {"duplicate_transaction"}
    pending_ids = {by_no[no].id for pair in pairs for no, _ in pair if by_no[no].status != "paid"}
    assert sorted(a.payment_id for a in anomalies) == sorted(pending_ids)
    entries = db.session.scalars(select(LedgerEntry)).all()
    assert len(entries) == len(pairs)
    assert sum(e.amount_fen for e in entries) == credited_total
    assert ledger.verify("cc").ok
    db.session.commit()
