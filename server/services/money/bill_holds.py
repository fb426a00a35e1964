"""Which payment holds a bill: choosing bills to pay, reserving and releasing them.

A bill goes "unpaid" → "pending" when a payment (WeChat Pay or cash) takes it, and
records the holder in `Bill.held_by` ("payment:<id>", "offline:<id>"). Only the
holder may settle or release it; every change is a conditional update by primary
key (a subquery would make MariaDB lock every bill it scans).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models import Bill

MAX_BILLS = 36


def choose(bill_ids: list[int], visible: Callable[[Bill], bool], verb: str) -> list[Bill]:
    """The unpaid bills of one household to pay together, in id order; `visible` says
    which bills the caller may name at all; `verb` ("缴", "登记") words the errors.

    Raises ValidationFailed (count, several households), NotFound, Conflict.
    """
    ids = list(dict.fromkeys(bill_ids))
    if not ids or len(ids) > MAX_BILLS:
        raise ValidationFailed(f"一次可{verb} 1 到 {MAX_BILLS} 笔账单", code="bad_bill_count")
    bills = list(db.session.scalars(select(Bill).where(Bill.id.in_(ids)).order_by(Bill.id)))
    if len(bills) != len(ids) or not all(visible(b) for b in bills):
        raise NotFound("找不到账单", code="bill_not_found")
    if len({b.household_id for b in bills}) != 1:
        raise ValidationFailed(f"一次只能{verb}同一户的账单", code="one_household_per_payment")
    not_payable = [b.id for b in bills if b.status != "unpaid"]
    if not_payable:
        raise Conflict("账单已缴或正在支付中", code="bill_not_payable", details=not_payable)
    return bills


def reserve(bills: list[Bill], holder: str) -> None:
    """Take the bills for `holder` if all are still unpaid (no commit); otherwise roll
    back and raise Conflict: another payment was quicker."""
    reserved = db.session.execute(
        update(Bill)
        .where(Bill.id.in_([b.id for b in bills]), Bill.status == "unpaid")
        .values(status="pending", held_by=holder)
        .execution_options(synchronize_session=False)
    ).rowcount
    if reserved != len(bills):
        db.session.rollback()
        raise Conflict("账单已缴或正在支付中", code="bill_not_payable")


def release(bill_ids: list[int], holder: str) -> None:
    """Make the bills `holder` still holds unpaid again (no commit)."""
    if not bill_ids:
        return
    db.session.execute(
        update(Bill)
        .where(Bill.id.in_(bill_ids), Bill.status == "pending", Bill.held_by == holder)
        .values(status="unpaid", held_by=None)
        .execution_options(synchronize_session=False)
    )


def online_holder(bill: Bill) -> int | None:
    """The WeChat Pay order holding a pending bill, if one does."""
    holder = bill.held_by or ""
    if bill.status != "pending" or not holder.startswith("payment:"):
        return None
    return int(holder.removeprefix("payment:"))
