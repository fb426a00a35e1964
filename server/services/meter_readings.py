"""Shared stairwell electricity: a unit's meter reading for a month, split into bills
over its households so the parts add up exactly (the rule is `fees.split_fen`)."""

from __future__ import annotations

import re
import sys

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.models import Bill, FeeItem, Household, MeterReading, Unit, utcnow
from server.services.access import Principal
from server.services.fees import insert_missing_bills, parse_month, split_fen


def record(principal: Principal, unit_id: int, month: str, amount_fen: int) -> list[Bill]:
    """A unit's stairwell electricity for a month, split into bills over its households
    (vacant ones only if the fee item charges them). Entered once per unit and month.
    A share of 0 fen (a total smaller than the households) makes no bill; the bills
    made are returned.

    Raises NotFound, Forbidden (the unit's liaison or the committee), Conflict.
    """
    parse_month(month)
    unit, item = _reading_target(principal, unit_id)
    _add_reading(principal, unit, item, month, amount_fen)
    households = _sharing_households(unit.id, item)
    shares = split_fen(amount_fen, len(households))
    # A 0-fen bill could never be paid (nor recorded as cash): none is made.
    billed = [(h, share) for h, share in zip(households, shares, strict=True) if share > 0]
    now = utcnow()
    rows = [
        {
            "compound_id": unit.compound_id,
            "household_id": household.id,
            "fee_item_id": item.id,
            "period": month,
            "amount_fen": share,
            "basis": {"unit_total_fen": amount_fen, "shares": len(households)},
            "status": "unpaid",
            "created_at": now,
        }
        for household, share in billed
    ]
    insert_missing_bills(rows)
    db.session.commit()
    if not billed:
        return []
    ids = [h.id for h, _share in billed]
    return list(
        db.session.scalars(
            select(Bill).where(
                Bill.fee_item_id == item.id, Bill.period == month, Bill.household_id.in_(ids)
            )
        )
    )


def _add_reading(
    principal: Principal, unit: Unit, item: FeeItem, month: str, amount_fen: int
) -> None:
    """Store the month's reading. The unique key (unit, item, month) decides between two
    submissions at the same time, not a check-then-insert: the second is refused.

    Raises Conflict.
    """
    db.session.add(
        MeterReading(
            compound_id=unit.compound_id,
            unit_id=unit.id,
            fee_item_id=item.id,
            period=month,
            amount_fen=amount_fen,
            entered_by_id=principal.id,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("该单元本月电费已录入", code="reading_exists") from None


def _reading_target(principal: Principal, unit_id: int) -> tuple[Unit, FeeItem]:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.compound_id not in principal.compound_ids:
        raise NotFound("找不到该单元", code="unit_not_found")
    if not (principal.liaison_of(unit.id) or principal.committee_of(unit.compound_id)):
        raise Forbidden("只有本单元联络人或业委会可以录入电费", code="not_a_handler")
    item = db.session.scalars(
        select(FeeItem).where(
            FeeItem.compound_id == unit.compound_id, FeeItem.kind == "shared_meter", FeeItem.active
        )
    ).first()
    if item is None:
        raise NotFound("本小区没有设置公用电费项目", code="fee_item_not_found")
    return unit, item


def _sharing_households(unit_id: int, item: FeeItem) -> list[Household]:
    query = select(Household).where(Household.unit_id == unit_id)
    if item.vacant_rule == "exempt":
        query = query.where(Household.occupancy == "occupied")
    return sorted(db.session.scalars(query), key=room_order)


def room_order(household: Household) -> tuple[int, int, str]:
    """Room order within a unit: by floor, then the room's leading number ("2" before
    "10", "101" before "101A"), then the room as written; rooms without a leading
    number come last on their floor."""
    number = re.match(r"\d+", household.room)
    return (household.floor, int(number[0]) if number else sys.maxsize, household.room)
