"""Fee rules (rounding once, exact splits) and bill generation on the demo compound."""

from __future__ import annotations

from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import event, func, insert, select

from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Bill, FeeItem, Household, MeterReading, Unit
from server.services.money import (
    fee_items,
    fees,
    meter_confirmations,
    meter_readings,
    pending_changes,
)
from server.services.money import periods as money_periods
from server.services.people.access import load_principal
from server.services.people.roles import user_for_openid
from server.services.platform import demo
from tests.factories import HouseholdFactory, build_world
from tests.timing import in_quarter, month, quarter_end_offset


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
    assert money_periods.billing_period("monthly", "2026-12") == "2026-12"
    assert money_periods.billing_period("quarterly", "2026-11") == "2026Q4"
    assert money_periods.billing_period("yearly", "2026-03") == "2026"
    for bad in ("2026-13", "2026-1", "26-12", "December"):
        with pytest.raises(ValidationFailed):
            money_periods.billing_period("monthly", bad)


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


def _confirmed(recorded, principal, code="demo") -> list[Bill]:
    """A second committee member confirms a recorded reading; the bills it made."""
    pending_changes.confirm(principal, code, recorded.open_change.id)
    reading = recorded.reading
    return list(
        db.session.scalars(
            select(Bill).where(
                Bill.fee_item_id == reading.fee_item_id,
                Bill.period == reading.period,
                Bill.household_id.in_([h.id for h in reading.unit.households]),
            )
        )
    )


def test_a_units_electricity_is_split_over_its_occupied_households(demo_compound):
    unit = db.session.scalars(
        select(Unit).where(Unit.number == 2).join(Unit.building).where(Unit.building.has(number=1))
    ).one()
    recorded = meter_readings.record(_principal("liaison-1-2"), unit.id, "2026-12", 450)
    bills = _confirmed(recorded, _principal("committee-1"))
    assert sum(b.amount_fen for b in bills) == 450
    assert len(bills) == 11  # 12 flats, 1-2-602 stands empty and is exempt from electricity
    amounts = [b.amount_fen for b in sorted(bills, key=lambda b: b.household_id)]
    assert sorted(amounts, reverse=True) == amounts  # the first rooms carry the extra fen
    with pytest.raises(Conflict):
        meter_readings.record(_principal("committee-1"), unit.id, "2026-12", 450)


def test_only_the_units_liaison_or_the_committee_enter_electricity(demo_compound):
    unit = db.session.scalars(select(Unit).where(Unit.number == 1)).first()
    with pytest.raises(Forbidden):
        meter_readings.record(_principal("liaison-3-3"), unit.id, "2026-12", 450)
    with pytest.raises(Forbidden):
        meter_readings.record(_principal("resident-1-1-101"), unit.id, "2026-12", 450)


# ----- no 0-fen bills, readings at the same time, room order -----


@pytest.fixture
def small(db_session):
    """Compound "zz": two units of rooms 101, 102, 201, a per-area fee and a shared meter."""
    world = build_world("zz")
    for code, kind, rate in (
        ("self_governance", "per_area", "0.35"),
        ("stair_electricity", "shared_meter", None),
    ):
        db.session.add(
            FeeItem(
                compound_id=world.compound.id,
                code=code,
                name=code,
                kind=kind,
                rate=rate,
                cycle="monthly",
                vacant_rule="charge",
            )
        )
    db.session.flush()
    return world


def _item(code: str) -> FeeItem:
    return db.session.scalars(select(FeeItem).where(FeeItem.code == code)).one()


def _bills(**where) -> list[Bill]:
    return list(db.session.scalars(select(Bill).filter_by(**where).order_by(Bill.id)))


def test_a_fee_that_rounds_to_0_fen_makes_no_bill(small):
    tiny = small.household("1-1-102")
    tiny.area_m2 = Decimal("0.01")  # 0.01 m² × 0.35 × 100 = 0.35 fen → 0
    db.session.flush()
    first = fees.generate_bills("2026-12", "zz")
    assert _bills(household_id=tiny.id) == []
    assert (first.created, first.skipped) == (5, 1)
    assert fees.generate_bills("2026-12", "zz").created == 0
    assert [b.amount_fen for b in _bills()] == [2533] * 5


def test_a_meter_total_below_the_households_makes_no_0_fen_bills(small):
    unit = small.units[0]
    principal = load_principal(small.people["liaison_1_1"].id)
    recorded = meter_readings.record(principal, unit.id, "2026-12", 2)  # 2 fen over 3 rooms
    bills = _confirmed(recorded, load_principal(small.people["committee"].id), "zz")
    assert sorted(b.amount_fen for b in bills) == [1, 1]
    by_room = {
        b.household_id: b.amount_fen for b in _bills(fee_item_id=_item("stair_electricity").id)
    }
    assert by_room == {small.household("1-1-101").id: 1, small.household("1-1-102").id: 1}
    reading = db.session.scalars(select(MeterReading).where(MeterReading.unit_id == unit.id)).one()
    assert reading.amount_fen == 2  # the reading itself is kept
    with pytest.raises(Conflict):
        meter_readings.record(principal, unit.id, "2026-12", 2)


def test_a_reading_entered_twice_at_the_same_moment_is_a_conflict(small):
    """The other submission lands between our look and our insert: the unique key decides."""
    unit, item = small.units[0], _item("stair_electricity")
    principal = load_principal(small.people["liaison_1_1"].id)

    landed = []

    def the_other_submission(session, _context, _instances):
        if not landed and any(isinstance(o, MeterReading) for o in session.new):
            landed.append(True)
            session.connection().execute(
                insert(MeterReading).values(
                    compound_id=unit.compound_id,
                    unit_id=unit.id,
                    fee_item_id=item.id,
                    period="2026-12",
                    amount_fen=450,
                )
            )

    event.listen(db.session(), "before_flush", the_other_submission)
    try:
        with pytest.raises(Conflict) as raised:
            meter_readings.record(principal, unit.id, "2026-12", 450)
    finally:
        event.remove(db.session(), "before_flush", the_other_submission)
    assert landed
    assert raised.value.code == "reading_exists"
    assert raised.value.message == "该单元本月电费已录入"


def test_rooms_with_letters_are_ordered_with_numbered_ones(small):
    unit = small.units[0]
    for room in ("101A", "11", "B1"):
        HouseholdFactory(unit_obj=unit, room=room, floor=1)
    principal = load_principal(small.people["committee"].id)
    recorded = meter_readings.record(principal, unit.id, "2026-12", 603)  # 6 rooms: 100 + 3
    bills = _confirmed(recorded, load_principal(small.people["committee_2"].id), "zz")
    extra = {b.household_id for b in bills if b.amount_fen == 101}
    assert extra == {h.id for h in unit.households if h.room in {"11", "101", "101A"}}
    rooms = [h.room for h in sorted(unit.households, key=meter_confirmations.room_order)]
    assert rooms == ["11", "101", "101A", "102", "B1", "201"]


# ----- changing the cycle -----


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("2026-11", {"2026-11"}),
        ("2026Q4", {"2026-10", "2026-11", "2026-12"}),
        ("2027Q1", {"2027-01", "2027-02", "2027-03"}),
        ("2026", {f"2026-{m:02d}" for m in range(1, 13)}),
    ],
)
def test_the_months_a_period_covers(period, months):
    assert money_periods.period_months(period) == months


def test_periods_overlap_across_cycles():
    assert money_periods.overlapping_periods("2026Q4") == {"2026-10", "2026-11", "2026-12", "2026"}
    assert money_periods.overlapping_periods("2026-12") == {"2026Q4", "2026"}
    assert "2027Q1" not in money_periods.overlapping_periods("2026")
    with pytest.raises(ValidationFailed):
        money_periods.period_months("2026Q5")


def test_a_cycle_changed_mid_period_bills_no_month_twice(small):
    item = _item("self_governance")
    fees.generate_bills("2026-10", "zz")
    fees.generate_bills("2026-11", "zz")
    late = HouseholdFactory(unit_obj=small.units[0], room="301", floor=3)  # no bill yet
    item.cycle = "quarterly"  # as an old database, or a change made before the guard
    db.session.flush()
    december = fees.generate_bills("2026-12", "zz")
    assert (december.created, december.skipped) == (7, 0)
    quarter = {b.household_id: b for b in _bills(period="2026Q4")}
    # December only for those billed October and November; the whole quarter for 301.
    assert {b.basis["months"] for h, b in quarter.items() if h != late.id} == {1}
    assert quarter[late.id].basis["months"] == 3
    some = next(b for h, b in quarter.items() if h != late.id)
    assert some.basis["months_billed_before"] == ["2026-10", "2026-11"]
    area = Decimal(some.basis["area_m2"])
    assert some.amount_fen == fees.period_fee_fen(area, Decimal("0.35"), 1)
    assert fees.generate_bills("2026-12", "zz").created == 0
    item.cycle = "monthly"  # and back: December is in 2026Q4 already
    db.session.flush()
    assert fees.generate_bills("2026-12", "zz").created == 0
    item.cycle = "yearly"
    db.session.flush()
    assert fees.generate_bills("2027-01", "zz").created == 7
    assert {b.period for b in _bills()} == {"2026-10", "2026-11", "2026Q4", "2027"}


@pytest.mark.parametrize(
    ("moment", "cycle", "allowed"),
    [
        # The quarter's first two months are billed monthly; from the second, next month
        # is the third: a quarterly (or yearly) bill would charge the first two again.
        ("mid second month", "quarterly", False),
        ("mid second month", "yearly", False),
        ("end of second month", "quarterly", False),  # 23:59 in Shanghai, still the second
        ("start of third month", "quarterly", True),  # next month starts the next quarter
        ("mid third month", "yearly", True),  # only when this quarter ends the year...
        ("mid third month", "quarterly", True),  # the next quarter, nothing of it billed
    ],
)
def test_the_cycle_changes_only_when_a_new_period_starts(small, moment, cycle, allowed):
    last = quarter_end_offset()
    fees.generate_bills(month(last - 2), "zz")
    fees.generate_bills(month(last - 1), "zz")
    if cycle == "yearly" and allowed and not month(last).endswith("-12"):
        allowed = False  # the next month is in the same year: its months were billed
    principal = load_principal(small.people["committee"].id)
    change = {"cycle": cycle, "rate": Decimal("0.40")}
    with freeze_time(in_quarter(moment)):
        if allowed:
            proposed = fee_items.update(principal, "zz", "self_governance", change)
            second = load_principal(small.people["committee_2"].id)
            pending_changes.confirm(second, "zz", proposed.approval.id)
        else:
            with pytest.raises(Conflict) as raised:
                fee_items.update(principal, "zz", "self_governance", change)
            assert raised.value.code == "cycle_change_mid_period"
    item = _item("self_governance")
    assert (item.cycle, item.rate) == (
        (cycle, Decimal("0.4000")) if allowed else ("monthly", Decimal("0.3500"))
    )


def test_rate_and_vacancy_changes_are_not_held_back_mid_period(small):
    fees.generate_bills(month(quarter_end_offset() - 1), "zz")
    principal = load_principal(small.people["committee"].id)
    with freeze_time(in_quarter("mid second month")):
        proposed = fee_items.update(
            principal,
            "zz",
            "self_governance",
            {"cycle": "monthly", "rate": Decimal("0.40"), "vacant_rule": "exempt"},
        )
        second = load_principal(small.people["committee_2"].id)
        pending_changes.confirm(second, "zz", proposed.approval.id)
    assert (_item("self_governance").rate, _item("self_governance").vacant_rule) == (
        Decimal("0.4000"),
        "exempt",
    )
