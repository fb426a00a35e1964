"""Fee items: the fees the owners agreed on, and the committee's changes to them."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Bill, FeeItem
from server.services import compounds
from server.services.access import Principal
from server.services.fees import billing_period, next_month, overlapping_periods


def items_of(principal: Principal, code: str) -> list[FeeItem]:
    compound = compounds.member_compound(principal, code)
    return list(db.session.scalars(select(FeeItem).where(FeeItem.compound_id == compound.id)))


def update(principal: Principal, code: str, item_code: str, changes: dict) -> list[FeeItem]:
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
