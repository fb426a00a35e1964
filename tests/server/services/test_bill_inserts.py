"""The bill run's fast insert (one written-out INSERT IGNORE a chunk on MariaDB) stores
exactly what the portable insert stores, and the run's statements do not grow with its
households."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, event, select

from server.database.engine import insert_ignore
from server.extensions import db
from server.models import Bill, FeeItem, Household
from server.services.money import fees
from server.services.money.bill_inserts import insert_run_bills
from server.services.platform import demo
from tests.factories import HouseholdFactory


@pytest.fixture
def demo_compound(db_session):
    demo.load()


def _rows(households, basis) -> list[dict]:
    item_id = db.session.scalar(select(FeeItem.id).where(FeeItem.code == "self_governance"))
    when = datetime(2026, 12, 1, 3, 4, 5, 123456, tzinfo=UTC)
    return [
        {
            "compound_id": h.compound_id,
            "household_id": h.id,
            "fee_item_id": item_id,
            "period": "2026-12",
            "amount_fen": 2533 + i,
            "basis": basis,
            "status": "unpaid",
            "created_at": when,
            "void_key": 0,
        }
        for i, h in enumerate(households)
    ]


def _stored():
    return [
        (b.household_id, b.amount_fen, b.basis, b.status, b.created_at, b.period)
        for b in db.session.scalars(select(Bill).order_by(Bill.household_id))
    ]


def test_the_fast_insert_stores_what_the_portable_one_does(demo_compound):
    households = list(db.session.scalars(select(Household).order_by(Household.id).limit(3)))
    # Quotes, a backslash, percent signs the driver could take for parameters, Chinese.
    basis = {"area_m2": "72.36", "rate": "0.35", "note": "50%s 'it''s' \\ %(x)s 面积"}
    db.session.execute(delete(Bill))
    assert insert_ignore(db.session.connection(), Bill.__table__, _rows(households, basis)) == 3
    portable = _stored()
    db.session.execute(delete(Bill))
    db.session.expire_all()
    fast = _rows(households, basis)
    assert insert_run_bills(db.session.connection(), Bill.__table__, fast) == 3
    db.session.expire_all()
    assert _stored() == portable
    assert portable[0][2] == basis
    # Again, with one new household: only it is inserted.
    extra = HouseholdFactory(unit_obj=households[0].unit, room="999")
    db.session.flush()
    again = _rows([*households, extra], basis)
    assert insert_run_bills(db.session.connection(), Bill.__table__, again) == 1


def test_a_bill_runs_statements_do_not_grow_with_its_households(demo_compound):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        first = fees.generate_bills("2026-12", "demo")
        made = list(statements)
        statements.clear()
        again = fees.generate_bills("2026-12", "demo")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert (first.created, first.households) == (132, 132)
    assert (again.created, again.households) == (0, 132)
    inserts = [s for s in made if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1  # 132 bills, one statement
    # Whether the compound is archived, the items, then per item its terms held, its
    # households and its bills.
    reads = [s for s in made if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 5
    # Every bill standing: nothing is sent to be ignored.
    assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
