"""A fee change confirmed while the month's bill run is making that month's bills: the run
holds the fee's terms, so the change either shapes the whole period or is refused — it
never promises a period the run billed at the old rate. (Row locks: MariaDB only.)"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from server.errors import Conflict
from server.extensions import db
from server.models import Bill
from server.services.money import fee_items, fees, pending_changes
from server.services.people.access import load_principal
from tests.factories import build_world, self_governance_fee
from tests.timing import month


@pytest.mark.slow
def test_a_rate_change_confirmed_during_the_bill_run_never_misses_its_period(
    app, committed_db, database_url, monkeypatch
):
    if not database_url.startswith("mysql"):
        pytest.skip("row locks: MariaDB only")
    world = build_world("br")
    self_governance_fee(world.compound)
    db.session.commit()
    proposer = load_principal(world.people["committee"].id)
    change = fee_items.update(proposer, "br", "self_governance", {"rate": Decimal("0.40")})
    assert change.approval.effective_period == month(0)
    approval_id = change.approval.id
    db.session.commit()

    computed, proceed = threading.Event(), threading.Event()
    area_bills = fees._area_bills

    def slow_area_bills(*args):
        rows = area_bills(*args)
        computed.set()
        proceed.wait(10)
        return rows

    monkeypatch.setattr(fees, "_area_bills", slow_area_bills)
    outcome = {}

    def bill_run():
        with app.app_context():
            outcome["run"] = fees.generate_bills(month(0), "br").created

    def confirm():
        with app.app_context():
            second = load_principal(world.people["committee_2"].id)
            try:
                pending_changes.confirm(second, "br", approval_id)
                outcome["confirm"] = "confirmed"
            except Conflict as refused:
                outcome["confirm"] = refused.code

    run = threading.Thread(target=bill_run)
    run.start()
    assert computed.wait(10)  # the run has read the rate and computed its rows
    deciding = threading.Thread(target=confirm)
    deciding.start()
    deciding.join(1)  # it waits for the run's lock (without one it is done by now)
    proceed.set()
    run.join(20)
    deciding.join(20)
    db.session.commit()  # a fresh snapshot: see what the threads committed
    amounts = set(db.session.scalars(select(Bill.amount_fen)))
    db.session.commit()
    assert outcome.get("run") == 6
    assert amounts == {2533}  # 72.36 m² at the old 0.35
    assert outcome["confirm"] == "effective_period_moved"
