"""A household's bills as its residents see them, and as a list with what is still owed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from server.errors import NotFound
from server.extensions import db
from server.models import Bill
from server.services.people.access import Principal


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
    order = {"unpaid": 0, "pending": 1, "paid": 2, "cancelled": 3}
    bills = list(
        db.session.scalars(select(Bill).where(Bill.household_id.in_(ids)).order_by(Bill.id.desc()))
    )
    return sorted(bills, key=lambda b: order[b.status])
