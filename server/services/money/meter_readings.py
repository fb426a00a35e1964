"""Shared stairwell electricity: a unit's meter reading for a month, split into bills over
its households so the parts add up exactly (the rule is `fees.split_fen`).

Two people for every yuan: the unit's liaison (or a committee member) records the
reading, which waits ("pending", no bills) until a committee member other than the
recorder confirms it; only then are the bills made, in that transaction. A reading
far above the unit's recent ones is flagged, and the confirmer must say they checked
it. A wrong confirmed reading is voided (`meter_voids`), never edited. The confirmation
and its bills are `meter_confirmations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Approval, FeeItem, MeterReading, Unit
from server.services.money import approvals
from server.services.money.meter_confirmations import sharing_households
from server.services.money.periods import next_month, parse_month, period_label
from server.services.people import compounds, users
from server.services.people.access import Principal

# How many of the unit's latest confirmed readings a new one is compared with.
RECENT = 6


def record(principal: Principal, unit_id: int, month: str, amount_fen: int) -> ReadingView:
    """Record a unit's stairwell electricity for a month: it waits for a committee member
    other than the recorder to confirm it (they are pushed it), and makes no bill yet.
    One standing reading per unit and month.

    Raises ValidationFailed (a month after next month, an amount out of bounds),
    NotFound, Forbidden (the unit's liaison or the committee), Conflict (one standing
    already; compound_archived).
    """
    _check_plausible(month, amount_fen)
    unit, item = _reading_target(principal, unit_id)
    flag = _flag(unit.id, item.id, month, amount_fen)
    reading = _add_reading(principal, unit, item, month, amount_fen, flag)
    sharing = len(sharing_households(unit.id, item))
    approvals.propose(
        principal,
        compound_id=unit.compound_id,
        kind="meter_reading",
        subject_id=reading.id,
        summary=f"{reading_name(unit, month)} {amount_fen / 100:.2f} 元（{sharing} 户分摊）",
        details={
            "unit_id": unit.id,
            "unit": unit.label,
            "period": month,
            "amount_fen": amount_fen,
            "households": sharing,
            "flag": flag,
        },
        effective_period=month,
        taken="该读数已在等待确认",
    )
    db.session.commit()
    return views([reading])[0]


def reading_name(unit: Unit, month: str) -> str:
    """ "1-2单元 2026年12月公用电费" """
    return f"{unit.label}单元 {period_label(month)}公用电费"


def _check_plausible(month: str, amount_fen: int) -> None:
    parse_month(month)
    latest = next_month()
    if month > latest:
        raise ValidationFailed(
            f"还没到这个月：电费最晚只能录入下个月（{period_label(latest)}）的",
            code="period_too_late",
        )
    largest = current_app.config["METER_READING_MAX_FEN"]
    if not 0 < amount_fen <= largest:
        raise ValidationFailed(
            f"电费金额应在 0.01 到 {largest / 100:.2f} 元之间，请核对", code="amount_out_of_range"
        )


def _flag(unit_id: int, item_id: int, month: str, amount_fen: int) -> dict | None:
    """What a reading is compared with when it is above METER_READING_FLAG_MULTIPLE times
    the average of the unit's latest confirmed readings; None when it is not (or there is
    nothing to compare with)."""
    recent = db.session.execute(
        select(MeterReading.period, MeterReading.amount_fen)
        .where(
            MeterReading.unit_id == unit_id,
            MeterReading.fee_item_id == item_id,
            MeterReading.status == "confirmed",
            MeterReading.period != month,
        )
        .order_by(MeterReading.period.desc())
        .limit(RECENT)
    ).all()
    if not recent:
        return None
    average = sum(amount for _, amount in recent) / len(recent)
    multiple = current_app.config["METER_READING_FLAG_MULTIPLE"]
    if amount_fen <= multiple * average:
        return None
    return {
        "multiple": multiple,
        "average_fen": round(average),
        "ratio": round(amount_fen / average, 1),
        "recent": [{"period": period, "amount_fen": amount} for period, amount in recent],
    }


def _add_reading(
    principal: Principal, unit: Unit, item: FeeItem, month: str, amount_fen: int, flag
) -> MeterReading:
    """Store the month's reading. The unique key (unit, item, month, void_key 0) decides
    between two submissions at the same time, not a check-then-insert: the second is
    refused.

    Raises Conflict.
    """
    reading = MeterReading(
        compound_id=unit.compound_id,
        unit_id=unit.id,
        fee_item_id=item.id,
        period=month,
        amount_fen=amount_fen,
        entered_by_id=principal.id,
        status="pending",
        flag=flag,
        void_key=0,
        created_at=utcnow(),
    )
    db.session.add(reading)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("该单元本月电费已录入", code="reading_exists") from None
    return reading


def _reading_target(principal: Principal, unit_id: int) -> tuple[Unit, FeeItem]:
    """The unit and its shared meter fee, for a new reading. Raises NotFound, Conflict
    (compound archived), Forbidden."""
    unit = _unit(principal, unit_id)
    compounds.ensure_open_id(unit.compound_id)
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


def _unit(principal: Principal, unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.compound_id not in principal.compound_ids:
        raise NotFound("找不到该单元", code="unit_not_found")
    return unit


# ----- what the unit's volunteers see -----


@dataclass(frozen=True)
class ReadingView:
    reading: MeterReading
    unit_label: str
    entered_by: str
    # The open proposal about it: its confirmation while pending, its void once confirmed.
    open_change: Approval | None


def readings_of(principal: Principal, unit_id: int) -> list[ReadingView]:
    """A unit's latest readings, newest month first, whatever their status: for the
    unit's liaison, the committee and the finance supervisor.

    Raises NotFound, Forbidden.
    """
    unit = _unit(principal, unit_id)
    if not (
        principal.liaison_of(unit.id)
        or principal.committee_of(unit.compound_id)
        or principal.supervisor_of(unit.compound_id)
    ):
        raise Forbidden("只有本单元联络人、业委会和财务监督可以查看", code="not_a_handler")
    rows = list(
        db.session.scalars(
            select(MeterReading)
            .options(joinedload(MeterReading.unit).joinedload(Unit.building))
            .where(MeterReading.unit_id == unit.id)
            .order_by(MeterReading.period.desc(), MeterReading.id.desc())
            .limit(24)
        )
    )
    return views(rows)


def views(rows: list[MeterReading]) -> list[ReadingView]:
    ids = [r.id for r in rows]
    confirming = approvals.open_for("meter_reading", ids)
    voiding = approvals.open_for("meter_void", ids)
    # One unit's readings: one compound.
    people = users.names_in(rows[0].compound_id, {r.entered_by_id for r in rows}) if rows else {}
    return [
        ReadingView(
            r,
            r.unit.label,
            people.get(r.entered_by_id, ""),
            confirming.get(r.id) or voiding.get(r.id),
        )
        for r in rows
    ]
