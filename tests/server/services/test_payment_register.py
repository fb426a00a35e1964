"""The register of money coming in: a compound's WeChat Pay orders and offline payments,
a page at a time, filtered, for its committee and supervisor only."""

from __future__ import annotations

import pytest

from server.errors import Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import OfflinePayment, OfflinePaymentBill
from server.services.money import payment_register as register
from server.services.people.access import load_principal
from tests.factories import build_world, make_bill, make_payment
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session):
    return build_world("rg")


def who(world, key: str):
    return load_principal(world.people[key].id)


def cash(world, label: str, status: str = "pending", days: int = -1) -> OfflinePayment:
    bill = make_bill(world, label)
    payment = OfflinePayment(
        compound_id=world.compound.id,
        household_id=bill.household_id,
        method="cash",
        amount_fen=bill.amount_fen,
        paid_on=shanghai_date(days),
        status=status,
        recorded_by_id=world.people["liaison_1_1"].id,
    )
    db.session.add(payment)
    db.session.flush()
    db.session.add(
        OfflinePaymentBill(offline_payment_id=payment.id, bill_id=bill.id, amount_fen=2533)
    )
    db.session.flush()
    return payment


def test_pages_newest_first_with_a_cursor(world):
    flats = ("1-1-101", "1-1-102", "1-1-201")
    orders = [make_payment(world, [make_bill(world, flat)], "paid") for flat in flats]
    committee = who(world, "committee")
    first = register.payments(committee, "rg", register.Filters(), limit=2)
    assert [r.id for r in first.items] == [orders[2].id, orders[1].id]
    assert first.items[0].flat == "1-1-201"
    rest = register.payments(committee, "rg", register.Filters(), first.next_cursor, limit=2)
    assert ([r.id for r in rest.items], rest.next_cursor) == ([orders[0].id], None)


def test_filters_by_status_day_and_building(world):
    old = cash(world, "1-1-101", "confirmed", days=-10)
    new = cash(world, "1-2-101", days=-1)
    supervisor = who(world, "supervisor")

    def ids(**filters):
        found = register.payments(supervisor, "rg", register.Filters(kind="offline", **filters))
        return [r.id for r in found.items]

    assert ids() == [new.id, old.id]
    assert ids(status="confirmed") == [old.id]
    assert ids(since=shanghai_date(-2)) == [new.id]
    assert ids(until=shanghai_date(-2)) == [old.id]
    assert ids(building=1) == [new.id, old.id]
    assert ids(building=2) == []
    with pytest.raises(ValidationFailed):
        ids(status="paid")
    with pytest.raises(ValidationFailed):
        ids(since=shanghai_date(0), until=shanghai_date(-1))


def test_one_offline_payment_with_its_bills_and_only_here(world):
    payment = cash(world, "1-1-101")
    other = build_world("rh")
    theirs = cash(other, "1-1-101")
    view = register.offline_payment(who(world, "committee"), "rg", payment.id)
    assert (view.flat, view.recorded_by) == ("1-1-101", world.people["liaison_1_1"].nickname)
    assert [line.amount_fen for line in view.bills] == [payment.amount_fen]
    with pytest.raises(NotFound):
        register.offline_payment(who(world, "committee"), "rg", theirs.id)
    with pytest.raises(Forbidden):
        register.payments(who(world, "liaison_1_1"), "rg", register.Filters())
    with pytest.raises(NotFound):
        register.payments(who(world, "committee"), "rh", register.Filters())
