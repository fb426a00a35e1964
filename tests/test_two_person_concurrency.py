"""Two committee members deciding the same change at once, and a void racing a cash
payment, over concurrent connections to a real HTTP server: each change is decided
once, and a bill is never both cancelled and in a payment.

(Meaningful on MariaDB, where row locks decide; on SQLite the write lock serialises.)
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from server.extensions import db
from server.models import Approval, Bill, FeeItem, MeterReading
from server.services.money import meter_readings, meter_voids, pending_changes
from server.services.people.access import load_principal
from tests.conftest import served_app
from tests.factories import build_world
from tests.timing import shanghai_date

MONTHS = [f"2025-{n:02d}" for n in range(1, 13)] + [f"2024-{n:02d}" for n in range(1, 9)]


@pytest.fixture
def server(database_url, sandbox):
    with served_app(database_url, sandbox, DATABASE_POOL_SIZE="20") as (url, _app):
        yield url


@pytest.fixture
def readings(app, sandbox, committed_db):
    """Twenty months of electricity for unit 1-1, recorded by its liaison, not confirmed."""
    world = build_world("tp")
    db.session.add(
        FeeItem(
            compound_id=world.compound.id, code="stair", name="楼道公用电费", kind="shared_meter"
        )
    )
    db.session.commit()
    liaison = load_principal(world.people["liaison_1_1"].id)
    recorded = [
        meter_readings.record(liaison, world.units[0].id, month, 450).open_change.id
        for month in MONTHS
    ]
    db.session.commit()
    return world, recorded


def post(url, headers):
    return requests.post(url, json={}, headers=headers, timeout=30).status_code


@pytest.mark.slow
def test_two_members_confirming_at_once_decide_each_reading_once(readings, server):
    world, changes = readings
    attempts = [
        (f"{server}api/v1/compounds/tp/pending-changes/{change}/confirm", world.headers(who))
        for change in changes
        for who in ("committee", "committee_2")
    ]
    random.Random(3).shuffle(attempts)
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda attempt: post(*attempt), attempts))
    assert sorted(statuses) == [200] * len(changes) + [409] * len(changes)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Bill)) == 3 * len(MONTHS)
    assert set(db.session.scalars(select(MeterReading.status))) == {"confirmed"}
    assert set(db.session.scalars(select(Approval.status))) == {"confirmed"}
    db.session.commit()


@pytest.mark.slow
def test_a_void_racing_a_cash_payment_never_leaves_a_bill_both_cancelled_and_paid(readings, server):
    world, changes = readings
    second = load_principal(world.people["committee_2"].id)
    for change in changes:
        pending_changes.confirm(second, "tp", change)
    committee = load_principal(world.people["committee"].id)
    reading_ids = db.session.scalars(select(MeterReading.id).order_by(MeterReading.id)).all()
    voids = [meter_voids.propose(committee, rid, "读数有误").approval.id for rid in reading_ids]
    household = world.household("1-1-101").id
    bills = db.session.scalars(
        select(Bill.id).where(Bill.household_id == household).order_by(Bill.period)
    ).all()
    db.session.commit()

    def confirm_void(change):
        url = f"{server}api/v1/compounds/tp/pending-changes/{change}/confirm"
        return "void", change, post(url, world.headers("committee_2"))

    def pay_cash(bill_id):
        body = {
            "bill_ids": [bill_id],
            "method": "cash",
            "amount_fen": 150,
            "paid_on": shanghai_date(-1).isoformat(),
        }
        reply = requests.post(
            f"{server}api/v1/offline-payments",
            json=body,
            headers=world.headers("liaison_1_1"),
            timeout=30,
        )
        return "cash", bill_id, reply.status_code

    attempts = [(confirm_void, v) for v in voids] + [(pay_cash, b) for b in bills]
    random.Random(5).shuffle(attempts)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda attempt: attempt[0](attempt[1]), attempts))

    assert {status for _, _, status in results} <= {200, 201, 409}
    voided = sum(1 for way, _, status in results if way == "void" and status == 200)
    paid = {bill for way, bill, status in results if way == "cash" and status == 201}
    assert voided + len(paid) == len(MONTHS)  # each month went one way, never both
    db.session.commit()
    for bill in db.session.scalars(select(Bill).where(Bill.id.in_(bills))):
        assert bill.status == ("pending" if bill.id in paid else "cancelled")
    db.session.commit()
