"""Fee rules (rounding once, exact splits) and bill generation on the demo compound."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Bill, FeeItem, Household, Unit
from server.services import demo, fees
from server.services.access import load_principal
from server.services.roles import user_for_openid


def test_the_rounding_rule_of_the_domain_brief():
    # 72.36 m² × 0.35 × 1 month = 25.326 yuan → 2533 fen
    assert fees.period_fee_fen(Decimal("72.36"), Decimal("0.35"), 1) == 2533
    # Rounded once over the period, not per month: 3 × 25.326 = 75.978 → 7598 (not 3 × 2533)
    assert fees.period_fee_fen(Decimal("72.36"), Decimal("0.35"), 3) == 7598
    # Half up at exactly half a fen: 10.10 × 0.35 × 100 = 353.5 → 354
    assert fees.period_fee_fen(Decimal("10.10"), Decimal("0.35"), 1) == 354


@pytest.mark.parametrize(
    ("total", "count", "shares"),
    [
        (1000, 3, [334, 333, 333]),
        (450, 4, [113, 113, 112, 112]),
        (6, 6, [1] * 6),
        (5, 7, [1] * 5 + [0] * 2),
    ],
)
def test_a_shared_charge_splits_exactly(total, count, shares):
    assert fees.split_fen(total, count) == shares
    assert sum(fees.split_fen(total, count)) == total


def test_periods_by_cycle():
    assert fees.billing_period("monthly", "2026-12") == "2026-12"
    assert fees.billing_period("quarterly", "2026-11") == "2026Q4"
    assert fees.billing_period("yearly", "2026-03") == "2026"
    for bad in ("2026-13", "2026-1", "26-12", "December"):
        with pytest.raises(ValidationFailed):
            fees.billing_period("monthly", bad)


@pytest.fixture
def demo_compound(db_session):
    demo.load()


def test_demo_bills_match_the_rule_and_generating_twice_adds_nothing(demo_compound):
    first = fees.generate_bills("2026-12", "demo")
    assert (first.created, first.households) == (132, 132)
    again = fees.generate_bills("2026-12", "demo")
    assert again.created == 0
    assert db.session.scalar(select(func.count()).select_from(Bill)) == 132
    rows = db.session.execute(
        select(Bill.amount_fen, Household.area_m2).join(
            Household, Household.id == Bill.household_id
        )
    ).all()
    for amount, area in rows:
        # The rule, worked in Python's decimal arithmetic independently of the service.
        exact = Decimal(str(area)) * Decimal("0.35") * 100
        expected = int(exact.to_integral_value(rounding="ROUND_HALF_UP"))
        assert amount == expected
    by_area = {str(area): amount for amount, area in rows}
    assert by_area["72.36"] == 2533  # the brief's own example, door 1 of building 1


def test_quarterly_fees_are_billed_once_a_quarter(demo_compound):
    item = db.session.scalars(select(FeeItem).where(FeeItem.code == "self_governance")).one()
    item.cycle = "quarterly"
    db.session.flush()
    assert fees.generate_bills("2026-10", "demo").created == 132
    assert fees.generate_bills("2026-12", "demo").created == 0  # the same quarter
    periods = set(db.session.scalars(select(Bill.period)))
    assert periods == {"2026Q4"}


def test_vacant_households_are_exempt_when_the_rule_says_so(demo_compound):
    item = db.session.scalars(select(FeeItem).where(FeeItem.code == "self_governance")).one()
    item.vacant_rule = "exempt"
    db.session.flush()
    assert fees.generate_bills("2026-12", "demo").created == 129  # 3 flats stand empty


def _principal(openid):
    return load_principal(user_for_openid(openid).id)


def test_a_units_electricity_is_split_over_its_occupied_households(demo_compound):
    unit = db.session.scalars(
        select(Unit).where(Unit.number == 2).join(Unit.building).where(Unit.building.has(number=1))
    ).one()
    bills = fees.record_meter_reading(_principal("liaison-1-2"), unit.id, "2026-12", 450)
    assert sum(b.amount_fen for b in bills) == 450
    assert len(bills) == 11  # 12 flats, 1-2-602 stands empty and is exempt from electricity
    amounts = [b.amount_fen for b in sorted(bills, key=lambda b: b.household_id)]
    assert sorted(amounts, reverse=True) == amounts  # the first rooms carry the extra fen
    with pytest.raises(Conflict):
        fees.record_meter_reading(_principal("committee-1"), unit.id, "2026-12", 450)


def test_only_the_units_liaison_or_the_committee_enter_electricity(demo_compound):
    unit = db.session.scalars(select(Unit).where(Unit.number == 1)).first()
    with pytest.raises(Forbidden):
        fees.record_meter_reading(_principal("liaison-3-3"), unit.id, "2026-12", 450)
    with pytest.raises(Forbidden):
        fees.record_meter_reading(_principal("resident-1-1-101"), unit.id, "2026-12", 450)
