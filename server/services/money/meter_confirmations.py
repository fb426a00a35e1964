"""The second person's decision on a pending meter reading (`meter_readings` records
it): confirmed, it is split into bills over the unit's households so the parts add up
exactly (`fees.split_fen`), in the confirmer's transaction; rejected, it makes no bill
and frees the month for a corrected one.
"""

from __future__ import annotations

import re
import sys

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models import Approval, FeeItem, Household, MeterReading
from server.services.money.fees import insert_missing_bills, split_fen
from server.services.people.access import Principal


def confirm(approval: Approval, principal: Principal, acknowledged: bool) -> None:
    """A second committee member confirms a pending reading: its bills are made, in the
    caller's transaction (no commit). A share of 0 fen (a total smaller than the
    households) makes no bill.

    Raises ValidationFailed (code flag_not_acknowledged: a flagged reading confirmed
    without saying it was checked), Conflict (decided already; code fee_item_inactive:
    the committee switched the shared meter fee off meanwhile).
    """
    reading = locked(approval.subject_id)
    if reading.status != "pending":
        raise Conflict("该读数已处理", code="reading_decided")
    if reading.flag and not acknowledged:
        flag = reading.flag
        raise ValidationFailed(
            f"这笔电费是本单元近期平均（{flag['average_fen'] / 100:.2f} 元）的 "
            f"{flag['ratio']} 倍，请核对后勾选“已核对”再确认",
            code="flag_not_acknowledged",
            details=flag,
        )
    # The fee's terms as they stand now, held while the bills are made: a change of them
    # confirmed at this moment waits, and shapes the next reading confirmed.
    item = db.session.scalars(
        select(FeeItem)
        .where(FeeItem.id == reading.fee_item_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()
    if not item.active:
        raise Conflict("公用电费已停用，这笔读数不会再生成账单，请驳回", code="fee_item_inactive")
    households = sharing_households(reading.unit_id, item)
    shares = split_fen(reading.amount_fen, len(households))
    now = utcnow()
    basis = {"unit_total_fen": reading.amount_fen, "shares": len(households)}
    insert_missing_bills(
        [
            {
                "compound_id": reading.compound_id,
                "household_id": household.id,
                "fee_item_id": item.id,
                "period": reading.period,
                "amount_fen": share,
                "basis": {**basis, "reading_id": reading.id},
                "status": "unpaid",
                "void_key": 0,
                "created_at": now,
            }
            for household, share in zip(households, shares, strict=True)
            if share > 0  # a 0-fen bill could never be paid (nor recorded as cash)
        ]
    )
    reading.status = "confirmed"


def reject(approval: Approval) -> None:
    """A second committee member rejects a pending reading (no commit): it makes no bill
    and frees the month for a corrected one."""
    reading = locked(approval.subject_id)
    reading.status, reading.void_key = "rejected", reading.id


def locked(reading_id: int) -> MeterReading:
    reading = db.session.scalars(
        select(MeterReading)
        .where(MeterReading.id == reading_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if reading is None:  # never expected: approvals name readings that exist
        raise NotFound("找不到该读数", code="reading_not_found")
    return reading


def sharing_households(unit_id: int, item: FeeItem) -> list[Household]:
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
