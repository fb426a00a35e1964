"""Fee items and bills: the rounding and splitting rules, and bill generation.

Rules (domain.md): a period fee is round_half_up(area × rate × months × 100) fen,
rounded once; a shared charge split over n households gives each floor(total/n)
fen and the first (total mod n), in room order, one fen more.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.database import insert_ignore
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Bill, Compound, FeeItem, Household, MeterReading, Unit, utcnow
from server.models.base import SHANGHAI
from server.services import compounds
from server.services.access import Principal

CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
CHUNK = 2000


def period_fee_fen(area_m2: Decimal, rate: Decimal, months: int) -> int:
    """round_half_up(area × rate × months × 100): 72.36 m² × 0.35 × 1 → 2533 fen."""
    exact = Decimal(area_m2) * Decimal(rate) * months * 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_fen(total_fen: int, count: int) -> list[int]:
    """Split a total over `count` shares that add up exactly; the first ones get the
    remainder's fen. 1000 over 3 → [334, 333, 333]."""
    if count <= 0:
        return []
    base, remainder = divmod(total_fen, count)
    return [base + 1 if i < remainder else base for i in range(count)]


def parse_month(month: str) -> tuple[int, int]:
    """ "2026-12" → (2026, 12). Raises ValidationFailed."""
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        raise ValidationFailed("账期格式应为 YYYY-MM，如 2026-12", code="bad_period") from None
    if not (2000 <= year <= 2100 and 1 <= number <= 12) or len(month) != 7:
        raise ValidationFailed("账期格式应为 YYYY-MM，如 2026-12", code="bad_period")
    return year, number


def billing_period(cycle: str, month: str) -> str:
    """The period a month falls in for a cycle: "2026-12" monthly, "2026Q4" quarterly,
    "2026" yearly. Generating for any month of a quarter gives the same quarter."""
    year, number = parse_month(month)
    if cycle == "monthly":
        return f"{year}-{number:02d}"
    if cycle == "quarterly":
        return f"{year}Q{(number - 1) // 3 + 1}"
    return str(year)


def period_months(period: str) -> set[str]:
    """The months a bill period covers: "2026-11" → {"2026-11"}, "2026Q4" → October to
    December, "2026" → the twelve months. Raises ValidationFailed."""
    if re.fullmatch(r"\d{4}", period):
        return {f"{period}-{number:02d}" for number in range(1, 13)}
    quarter = re.fullmatch(r"(\d{4})Q([1-4])", period)
    if quarter:
        year, first = quarter[1], (int(quarter[2]) - 1) * 3 + 1
        return {f"{year}-{number:02d}" for number in range(first, first + 3)}
    parse_month(period)
    return {period}


def overlapping_periods(period: str) -> set[str]:
    """The other period strings, of any cycle, that share a month with `period`:
    "2026Q4" → "2026-10", "2026-11", "2026-12" and "2026"."""
    return {
        billing_period(cycle, month) for month in period_months(period) for cycle in CYCLE_MONTHS
    } - {period}


def next_month(now: datetime | None = None) -> str:
    """The month after the current one in Asia/Shanghai: "2027-01" in December 2026."""
    today = (now or utcnow()).astimezone(SHANGHAI)
    year, number = divmod(today.year * 12 + today.month, 12)
    return f"{year}-{number + 1:02d}"


@dataclass
class Generated:
    created: int = 0
    households: int = 0
    items: int = 0
    # Households left without a bill: 0 fen, or every month billed under another cycle.
    skipped: int = 0


def generate_bills(
    month: str,
    compound_code: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Generated:
    """Create the bills of every per-area fee item for the period containing `month`,
    for one compound or all. Running it again creates nothing new (unique key, not a
    check-then-insert). `progress(n)` is told of every n households done."""
    parse_month(month)
    query = select(Compound)
    if compound_code:
        query = query.where(Compound.code == compound_code)
    result = Generated()
    for compound in db.session.scalars(query).all():
        for item in _per_area_items(compound.id):
            result.items += 1
            rows, skipped = _area_bills(compound, item, month)
            result.households += len(rows)
            result.skipped += skipped
            if progress and skipped:
                progress(skipped)
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                result.created += insert_missing_bills(chunk)
                db.session.commit()
                if progress:
                    progress(len(chunk))
    return result


def count_billable(compound_code: str | None = None) -> int:
    """How many (household, per-area fee) pairs a generation run goes through."""
    query = (
        select(func.count())
        .select_from(Household)
        .join(FeeItem, FeeItem.compound_id == Household.compound_id)
        .where(FeeItem.kind == "per_area", FeeItem.active)
    )
    if compound_code:
        query = query.join(Compound, Compound.id == Household.compound_id).where(
            Compound.code == compound_code
        )
    return db.session.scalar(query) or 0


def _per_area_items(compound_id: int) -> list[FeeItem]:
    return list(
        db.session.scalars(
            select(FeeItem).where(
                FeeItem.compound_id == compound_id, FeeItem.kind == "per_area", FeeItem.active
            )
        )
    )


def _area_bills(compound: Compound, item: FeeItem, month: str) -> tuple[list[dict], int]:
    """The bill rows of an item's period and how many households get none.

    A period's bill covers only its months not yet billed under another cycle (the
    committee changed the cycle mid-period: monthly October and November, then
    quarterly, makes 2026Q4 a one-month bill for December), so no month is billed
    twice or left out. A fee that rounds to 0 fen could never be paid: no bill.
    """
    period = billing_period(item.cycle, month)
    months = period_months(period)
    query = select(Household.id, Household.area_m2).where(Household.compound_id == compound.id)
    if item.vacant_rule == "exempt":
        query = query.where(Household.occupancy == "occupied")
    billed_elsewhere = _months_billed_elsewhere(item.id, period)
    now = utcnow()
    rows, skipped = [], 0
    for household_id, area in db.session.execute(query):
        already = billed_elsewhere.get(household_id, set()) & months
        count = len(months) - len(already)
        amount = period_fee_fen(area, item.rate, count) if count else 0
        if amount <= 0:
            skipped += 1
            continue
        basis = {"area_m2": str(area), "rate": str(item.rate), "months": count}
        if already:
            basis["months_billed_before"] = sorted(already)
        rows.append(
            {
                "compound_id": compound.id,
                "household_id": household_id,
                "fee_item_id": item.id,
                "period": period,
                "amount_fen": amount,
                "basis": basis,
                "status": "unpaid",
                "created_at": now,
            }
        )
    return rows, skipped


def _months_billed_elsewhere(item_id: int, period: str) -> dict[int, set[str]]:
    """Per household, the months of `period` its bills of this item for other periods
    (of other cycles) already cover."""
    covered: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(Bill.household_id, Bill.period).where(
            Bill.fee_item_id == item_id, Bill.period.in_(overlapping_periods(period))
        )
    )
    for household_id, other in rows:
        covered.setdefault(household_id, set()).update(period_months(other))
    return covered


def insert_missing_bills(rows: list[dict]) -> int:
    """Insert bills, skipping any (household, item, period) that exists. Returns how
    many were new. One statement per chunk, whatever runs at the same time."""
    return insert_ignore(db.session.connection(), Bill.__table__, rows)


# ----- shared electricity -----


def record_meter_reading(
    principal: Principal, unit_id: int, month: str, amount_fen: int
) -> list[Bill]:
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


# ----- fee items -----


def fee_items(principal: Principal, code: str) -> list[FeeItem]:
    compound = compounds.member_compound(principal, code)
    return list(db.session.scalars(select(FeeItem).where(FeeItem.compound_id == compound.id)))


def update_fee_item(
    principal: Principal, code: str, item_code: str, changes: dict
) -> list[FeeItem]:
    """The committee changes a fee item's rate, cycle or vacant rule (for bills not yet
    made); a cycle only when a new period starts. Returns all the compound's fee items.

    Raises Forbidden, NotFound, ValidationFailed, Conflict (a cycle change mid-period).
    """
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以修改收费标准", code="committee_only")
    item = db.session.scalars(
        select(FeeItem).where(FeeItem.compound_id == compound.id, FeeItem.code == item_code)
    ).first()
    if item is None:
        raise NotFound("没有这个收费项目", code="fee_item_not_found")
    if changes.get("cycle", item.cycle) != item.cycle:
        _check_cycle_change(item, changes["cycle"])
    for key in ("rate", "cycle", "vacant_rule", "active"):
        if key in changes:
            setattr(item, key, changes[key])
    if item.kind == "per_area" and item.rate is None:
        raise ValidationFailed("按面积收费须有费率", code="rate_required")
    db.session.commit()
    return list(db.session.scalars(select(FeeItem).where(FeeItem.compound_id == compound.id)))


def _check_cycle_change(item: FeeItem, cycle: str) -> None:
    """A new cycle starts with a new period: the period holding next month (Asia/Shanghai)
    under the new cycle must share no month with the item's bills, or its bills would
    charge those months again (monthly → quarterly in November: 2026Q4 repeats October).

    Raises Conflict.
    """
    period = billing_period(cycle, next_month())
    billed = db.session.scalar(
        select(Bill.id)
        .where(
            Bill.fee_item_id == item.id,
            Bill.period.in_(overlapping_periods(period) | {period}),
        )
        .limit(1)
    )
    if billed is not None:
        raise Conflict(
            "收费周期只能从新周期开始时调整：本周期已有账单", code="cycle_change_mid_period"
        )


@dataclass(frozen=True)
class BillList:
    items: list[Bill]
    unpaid_fen: int  # what is still owed: the unpaid bills only, not those being paid


def bill_list(bills: list[Bill]) -> BillList:
    return BillList(bills, sum(b.amount_fen for b in bills if b.status == "unpaid"))


def bills_of(principal: Principal, household_ids: Iterable[int] | None = None) -> list[Bill]:
    """The caller's households' bills, unpaid first, then newest."""
    allowed = principal.household_ids
    ids = allowed if household_ids is None else set(household_ids) & allowed
    if household_ids is not None and not set(household_ids) <= allowed:
        raise NotFound("找不到该房屋的账单", code="household_not_found")
    if not ids:
        return []
    order = {"unpaid": 0, "pending": 1, "paid": 2}
    bills = list(
        db.session.scalars(select(Bill).where(Bill.household_id.in_(ids)).order_by(Bill.id.desc()))
    )
    return sorted(bills, key=lambda b: order[b.status])
