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
from server.services.money.bill_inserts import insert_run_bills
from server.services.money.periods import (
    billing_period,
    overlapping_periods,
    parse_month,
    period_months,
)

CHUNK = 5000  # rows a statement and a commit


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
    check-then-insert: bills found standing are left out first, and what another run
    inserts meanwhile is skipped by the insert). `progress(n)` is told of every n
    households done.

    The rows of several items go in one multi-row statement and commit (CHUNK rows):
    each item's terms stay held (`_held`) until its bills are committed."""
    parse_month(month)
    query = (
        select(FeeItem.id, FeeItem.compound_id)
        .join(Compound, Compound.id == FeeItem.compound_id)
        .where(
            Compound.archived_at.is_(None),  # archived: read-only
            FeeItem.kind == "per_area",
            FeeItem.active,
        )
        .order_by(FeeItem.compound_id, FeeItem.id)
    )
    if compound_code:
        archived = select(Compound.id).where(
            Compound.code == compound_code, Compound.archived_at.is_not(None)
        )
        if db.session.scalar(archived) is not None:
            raise Conflict("本小区已归档，只能查看", code="compound_archived")
        query = query.where(Compound.code == compound_code)
    result = Generated()
    pending: list[dict] = []
    for item_id, compound_id in db.session.execute(query).all():
        item = _held(item_id)
        if item is None:
            continue  # switched off meanwhile
        result.items += 1
        rows, skipped, standing = _area_bills(compound_id, item, month)
        result.households += len(rows) + standing
        result.skipped += skipped
        if progress and skipped + standing:
            progress(skipped + standing)
        pending += rows
        if len(pending) >= CHUNK:
            result.created += _insert(pending, progress)
            pending = []
    result.created += _insert(pending, progress)
    return result


def _insert(rows: list[dict], progress: Callable[[int], None] | None) -> int:
    """Insert the rows (those standing meanwhile skipped) and commit, which frees the
    items held for them. Returns how many were new."""
    created = insert_run_bills(db.session.connection(), Bill.__table__, rows)
    db.session.commit()
    if progress and rows:
        progress(len(rows))
    return created


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


def _area_bills(compound_id: int, item: FeeItem, month: str) -> tuple[list[dict], int, int]:
    """The bill rows of an item's period still to make, how many households get none,
    and how many have theirs already.

    A period's bill covers only its months not yet billed under another cycle (the
    committee changed the cycle mid-period: monthly October and November, then
    quarterly, makes 2026Q4 a one-month bill for December), so no month is billed
    twice or left out. A fee that rounds to 0 fen could never be paid: no bill.
    Households of the same area (and months) share one amount and one basis.
    """
    period = billing_period(item.cycle, month)
    months = period_months(period)
    query = select(Household.id, Household.area_m2).where(Household.compound_id == compound_id)
    if item.vacant_rule == "exempt":
        query = query.where(Household.occupancy == "occupied")
    standing, billed_elsewhere = _bills_of_item(compound_id, item.id, period)
    now = utcnow()
    rate = str(item.rate)
    terms: dict[tuple, tuple[int, dict]] = {}  # (area, months billed before) → amount, basis
    rows, skipped, existing = [], 0, 0
    for household_id, area in db.session.execute(query):
        if household_id in standing:
            existing += 1
            continue
        already = frozenset(months.intersection(billed_elsewhere.get(household_id, ())))
        key = (str(area), already)
        known = terms.get(key)
        if known is None:
            count = len(months) - len(already)
            amount = period_fee_fen(area, item.rate, count) if count else 0
            basis = {"area_m2": key[0], "rate": rate, "months": count}
            if already:
                basis["months_billed_before"] = sorted(already)
            known = terms[key] = (amount, basis)
        amount, basis = known
        if amount <= 0:
            skipped += 1
            continue
        rows.append(
            {
                "compound_id": compound_id,
                "household_id": household_id,
                "fee_item_id": item.id,
                "period": period,
                "amount_fen": amount,
                "basis": basis,
                "status": "unpaid",
                "created_at": now,
                "void_key": 0,
            }
        )
    return rows, skipped, existing


def _bills_of_item(
    compound_id: int, item_id: int, period: str
) -> tuple[set[int], dict[int, set[str]]]:
    """The households with a standing bill of this item for `period`, and per household
    the months of `period` its bills of this item for other periods (of other cycles)
    already cover. One read of the compound's bills of those periods (its index)."""
    standing: set[int] = set()
    covered: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(Bill.household_id, Bill.period, Bill.void_key).where(
            Bill.compound_id == compound_id,
            Bill.period.in_(overlapping_periods(period) | {period}),
            Bill.fee_item_id == item_id,
        )
    )
    for household_id, other, void_key in rows:
        if other != period:
            covered.setdefault(household_id, set()).update(period_months(other))
        elif void_key == 0:
            standing.add(household_id)
    return standing, covered


def insert_missing_bills(rows: list[dict]) -> int:
    """Insert bills, skipping any (household, item, period) that exists. Returns how
    many were new. One statement per chunk, whatever runs at the same time."""
    return insert_ignore(db.session.connection(), Bill.__table__, rows)
