"""A period's collection: figures per compound, building and unit, the unpaid lists, and a
household's open bills for a collector (reminders are `reminders`, the Excel export
`fees_export`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Bill, Building, Household, Unit
from server.services.money.periods import billing_period, parse_month
from server.services.people import compounds
from server.services.people.access import Principal


def periods_of_month(month: str) -> list[str]:
    """The bill periods a month's figures cover: the month, its quarter and its year."""
    return sorted({billing_period(cycle, month) for cycle in ("monthly", "quarterly", "yearly")})


def _bill_rows(compound_id: int, month: str):
    return db.session.execute(
        select(
            Bill.household_id,
            Bill.amount_fen,
            Bill.status,
            Building.number,
            Unit.number,
            Household.room,
            Household.unit_id,
        )
        .join(Household, Household.id == Bill.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(
            Bill.compound_id == compound_id,
            Bill.period.in_(periods_of_month(month)),
            Bill.status != "cancelled",  # its meter reading was voided: owed by nobody
        )
    ).all()


@dataclass
class Tally:
    billed_fen: int = 0
    collected_fen: int = 0

    def __post_init__(self):
        self.households: set[int] = set()
        self.unpaid: set[int] = set()

    def add(self, household_id: int, amount: int, status: str) -> None:
        self.households.add(household_id)
        self.billed_fen += amount
        if status == "paid":
            self.collected_fen += amount
        else:
            self.unpaid.add(household_id)

    def summary(self) -> dict:
        billed = len(self.households)
        paid = billed - len(self.unpaid)
        return {
            "households_billed": billed,
            "households_paid": paid,
            "collection_rate": round(paid / billed, 4) if billed else None,
            "billed_fen": self.billed_fen,
            "collected_fen": self.collected_fen,
        }


def compound_rate(compound_id: int, month: str) -> dict:
    """The compound's figure of `summary` (households billed and paid, the rate), with no
    check of who asks: counts only, for the notice board every member reads."""
    total = Tally()
    for household_id, amount, status, *_place in _bill_rows(compound_id, month):
        total.add(household_id, amount, status)
    return total.summary()


def summary(principal: Principal, code: str, month: str) -> dict:
    """Households billed and paid, the collection rate, billed vs collected fen, for the
    compound and per building and unit. For the committee and the supervisor."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看收缴情况", code="committee_only")
    total, buildings, units = Tally(), defaultdict(Tally), defaultdict(Tally)
    for household_id, amount, status, building_no, unit_no, _room, _unit_id in _bill_rows(
        compound.id, month
    ):
        for tally in (total, buildings[building_no], units[(building_no, unit_no)]):
            tally.add(household_id, amount, status)
    return {
        "period": month,
        **total.summary(),
        "by_building": [{"building": b, **t.summary()} for b, t in sorted(buildings.items())],
        "by_unit": [
            {"building": b, "unit": u, "label": f"{b}-{u}", **t.summary()}
            for (b, u), t in sorted(units.items())
        ],
    }


def unpaid(principal: Principal, code: str, month: str) -> list[dict]:
    """Households with unpaid bills: every one for the committee, a liaison's own units
    for a liaison. Raises Forbidden for anyone else."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    committee = principal.committee_of(compound.id) or principal.supervisor_of(compound.id)
    units = {m.unit_id for m in principal.memberships if m.role == "liaison"}
    if not committee and not units:
        raise Forbidden("只有联络人和业委会可以查看未缴名单", code="not_a_collector")
    owed: dict[int, dict] = {}
    for household_id, amount, status, b, u, room, unit_id in _bill_rows(compound.id, month):
        if status == "paid" or (not committee and unit_id not in units):
            continue
        row = owed.setdefault(
            household_id,
            {"household_id": household_id, "label": f"{b}-{u}-{room}", "owed_fen": 0, "bills": 0},
        )
        row["owed_fen"] += amount
        row["bills"] += 1
    return sorted(owed.values(), key=lambda r: r["label"])


def household_unpaid_bills(principal: Principal, household_id: int) -> list[Bill]:
    """A household's bills a collector about to take cash may deal with: the unpaid ones,
    and those held by an open WeChat Pay order (which the collector can cancel first).
    For the unit's liaison or the committee. Raises NotFound or Forbidden."""
    household = db.session.get(Household, household_id)
    if household is None or household.compound_id not in principal.compound_ids:
        raise NotFound("找不到该房屋", code="household_not_found")
    collector = principal.liaison_of(household.unit_id) or principal.committee_of(
        household.compound_id
    )
    if not collector:
        raise Forbidden("只有本单元联络人或业委会成员可以查看", code="not_a_collector")
    in_online_order = (Bill.status == "pending") & Bill.held_by.startswith("payment:")
    return list(
        db.session.scalars(
            select(Bill)
            .where(Bill.household_id == household.id, (Bill.status == "unpaid") | in_online_order)
            .order_by(Bill.period, Bill.id)
        )
    )
