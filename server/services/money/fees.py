"""The bill run: the fee rules (rounding, splitting) and generating a period's bills.

Rules (domain.md): a period fee is round_half_up(area × rate × months × 100) fen,
rounded once; a shared charge split over n households gives each floor(total/n)
fen and the first (total mod n), in room order, one fen more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from server.clock import utcnow
from server.database.engine import insert_ignore
from server.errors import Conflict
from server.extensions import db
from server.models import Bill, Compound, FeeItem, Household
from server.services.money.periods import (
    billing_period,
    overlapping_periods,
    parse_month,
    period_months,
)

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
    query = select(Compound).where(Compound.archived_at.is_(None))  # archived: read-only
    if compound_code:
        archived = select(Compound.id).where(
            Compound.code == compound_code, Compound.archived_at.is_not(None)
        )
        if db.session.scalar(archived) is not None:
            raise Conflict("本小区已归档，只能查看", code="compound_archived")
        query = query.where(Compound.code == compound_code)
    result = Generated()
    for compound in db.session.scalars(query).all():
        for listed in _per_area_items(compound.id):
            item = _held(listed.id)
            if item is None:
                continue  # switched off meanwhile
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
            db.session.commit()  # frees the item when no row was billed
    return result


def _held(item_id: int) -> FeeItem | None:
    """An active per-area item, its terms read fresh and held (a shared lock) until its
    first bills are committed: a change of its rate confirmed at this moment waits, then
    sees the period billed and is refused (effective_period_moved) rather than promising a
    period billed at the old rate."""
    return db.session.scalars(
        select(FeeItem)
        .where(FeeItem.id == item_id, FeeItem.active)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).first()


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
