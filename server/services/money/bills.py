"""A household's bills as its residents see them, and as a list with what is still owed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, select

from server.database.connection import connection
from server.errors import NotFound
from server.models import Bill, FeeItem
from server.services.people.access import Principal


@dataclass(frozen=True)
class BillList:
    items: list[Bill]
    unpaid_fen: int  # what is still owed: the unpaid bills only, not those being paid


def bill_list(bills: list[Bill]) -> BillList:
    return BillList(bills, sum(b.amount_fen for b in bills if b.status == "unpaid"))


# Unpaid first, then being paid, paid, cancelled; newest first within each.
_ORDER = {"unpaid": 0, "pending": 1, "paid": 2, "cancelled": 3}


# Built once: building this select and its cache key cost ~160 us a request (the most
# frequent resident read); executed with the caller's household ids.
_BILL_ROWS = (
    select(
        Bill.id,
        Bill.household_id,
        FeeItem.code,
        FeeItem.name,
        Bill.period,
        Bill.amount_fen,
        Bill.status,
        Bill.basis,
        Bill.paid_at,
        Bill.held_by,
    )
    .join(FeeItem, FeeItem.id == Bill.fee_item_id)
    .where(Bill.household_id.in_(bindparam("household_ids", expanding=True)))
    .order_by(Bill.id.desc())
)


def bill_rows_of(principal: Principal, household_ids: Iterable[int] | None = None) -> list[Row]:
    """The caller's households' bills, unpaid first, then newest: in one statement on
    the request's plain connection (no session), as plain rows with their fee item's
    code and name (`server/api/bills.py` turns them into the answer)."""
    allowed = principal.household_ids
    ids = allowed if household_ids is None else set(household_ids) & allowed
    if household_ids is not None and not set(household_ids) <= allowed:
        raise NotFound("找不到该房屋的账单", code="household_not_found")
    if not ids:
        return []
    rows = connection().execute(_BILL_ROWS, {"household_ids": sorted(ids)}).all()
    return sorted(rows, key=lambda row: _ORDER[row.status])
