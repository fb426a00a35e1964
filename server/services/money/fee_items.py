"""Fee items: the fees the owners agreed on, and the committee's changes to them.

Two people for every yuan: one committee member proposes a change of a fee's rate,
cycle, vacant rule or whether it is charged at all, with the first period whose bills
it shapes; it takes effect only when a second, different one confirms it. One open
proposal per fee item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Approval, Bill, FeeItem
from server.services.money import approvals
from server.services.money.periods import (
    billing_period,
    next_month,
    overlapping_periods,
    period_label,
    period_months,
)
from server.services.people import compounds
from server.services.people.access import Principal

FIELDS = ("rate", "cycle", "vacant_rule", "active")
METER_EFFECTIVE = "此后确认的每一笔电费"
TAKEN = "该收费项目已有一项调整在等待确认，请先确认或驳回那一项"


@dataclass(frozen=True)
class FeeItemView:
    code: str
    name: str
    kind: str
    rate: Decimal | None
    cycle: str
    vacant_rule: str
    active: bool
    pending_change: approvals.ChangeView | None


def items_of(principal: Principal, code: str) -> list[FeeItemView]:
    """The compound's fee items, each with its change waiting for a second person."""
    compound = compounds.member_compound(principal, code)
    items = list(db.session.scalars(select(FeeItem).where(FeeItem.compound_id == compound.id)))
    waiting = approvals.open_for("fee_change", [i.id for i in items])
    views = dict(zip(waiting, approvals.views(principal, list(waiting.values())), strict=True))
    return [
        FeeItemView(
            i.code, i.name, i.kind, i.rate, i.cycle, i.vacant_rule, i.active, views.get(i.id)
        )
        for i in items
    ]


def update(principal: Principal, code: str, item_code: str, changes: dict) -> approvals.ChangeView:
    """A committee member proposes a change of a fee item's rate, cycle, vacant rule or
    active flag; it shapes bills from its effective period on, once a second committee
    member confirms it (they are pushed it). A cycle changes only when a new period starts.

    Raises Forbidden, NotFound, ValidationFailed (nothing changes), Conflict (a cycle
    change mid-period; a change of this item already waiting; compound_archived).
    """
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以修改收费标准", code="committee_only")
    item = db.session.scalars(
        select(FeeItem).where(FeeItem.compound_id == compound.id, FeeItem.code == item_code)
    ).first()
    if item is None:
        raise NotFound("没有这个收费项目", code="fee_item_not_found")
    new = {k: changes[k] for k in FIELDS if k in changes and changes[k] != getattr(item, k)}
    if not new:
        raise ValidationFailed("与现行标准相同，没有要调整的内容", code="no_change")
    if item.kind == "per_area" and new.get("rate", item.rate) is None:
        raise ValidationFailed("按面积收费须有费率", code="rate_required")
    cycle = new.get("cycle", item.cycle)
    if cycle != item.cycle:
        _check_cycle_change(item, cycle)
    approval = _propose(principal, item, new, effective_period(item, cycle))
    db.session.commit()
    return approvals.views(principal, [approval])[0]


def _propose(
    principal: Principal, item: FeeItem, new: dict, effective: str | None, proposal_id=None
) -> Approval:
    """Open the fee change (no commit): its summary in Chinese, the old and new terms,
    the period it starts from; a passed owners' decision (`proposal_id`) is named."""
    when = f"自{period_label(effective)}账单起" if effective else f"{METER_EFFECTIVE}起"
    what = "；".join(_describe(k, getattr(item, k), v) for k, v in new.items())
    summary = f"{item.name}：{what}，{when}"
    details = {
        "item": item.code,
        "item_name": item.name,
        "kind": item.kind,
        "from": {k: _stored(getattr(item, k)) for k in new},
        "to": {k: _stored(v) for k, v in new.items()},
        "effective_label": when,
    }
    if proposal_id is not None:
        summary += f"（业主大会表决通过，第{proposal_id}号）"
        details["proposal_id"] = proposal_id
    return approvals.propose(
        principal,
        compound_id=item.compound_id,
        kind="fee_change",
        subject_id=item.id,
        summary=summary,
        details=details,
        effective_period=effective,
        taken=TAKEN,
    )


def propose_for_decision(
    proposer: Principal,
    compound_id: int,
    item_code: str,
    rate: Decimal,
    from_period: str | None,
    proposal_id: int,
) -> Approval:
    """A rate change the owners decided (a passed proposal), proposed in the name of the
    proposal's author: like `update`, it takes effect only once a second committee
    member confirms it (the two-person fee rule). Effective from `from_period` or the
    earliest unbilled period if that is later. No commit.

    Raises NotFound (fee_item_not_found), ValidationFailed (no_change), Conflict
    (change_pending: a change of this item already waits)."""
    item = db.session.scalars(
        select(FeeItem).where(FeeItem.compound_id == compound_id, FeeItem.code == item_code)
    ).first()
    if item is None or item.kind != "per_area":
        raise NotFound("没有这个按面积收费的项目", code="fee_item_not_found")
    if item.rate is not None and Decimal(item.rate) == rate:
        raise ValidationFailed("与现行标准相同，没有要调整的内容", code="no_change")
    # Checked first: a refused unique key would roll back the closing transaction.
    if approvals.open_for("fee_change", [item.id]):
        raise Conflict(TAKEN, code="change_pending")
    effective = effective_period(item, item.cycle)
    if from_period:
        effective = max(effective, billing_period(item.cycle, from_period))
    return _propose(proposer, item, {"rate": rate}, effective, proposal_id)


def apply(approval: Approval, principal: Principal, _acknowledged: bool) -> None:
    """A second committee member confirms: the item changes now (no commit).

    Raises Conflict (a cycle change mid-period; code effective_period_moved: bills of
    the promised period were made meanwhile, so the change would start later than both
    people agreed — reject it and propose again).
    """
    item = db.session.scalars(
        select(FeeItem)
        .where(FeeItem.id == approval.subject_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    new = dict(approval.details["to"])
    if "rate" in new:
        new["rate"] = Decimal(new["rate"])
    cycle = new.get("cycle", item.cycle)
    if cycle != item.cycle:
        _check_cycle_change(item, cycle)
    # A locking read: this transaction's snapshot may predate bills the month's run
    # committed while we waited for the item (the run holds it while it bills).
    effective = effective_period(item, cycle, locking=True)
    if approval.effective_period and effective and approval.effective_period > effective:
        # An owners' decision for a later period: the item's terms change for every bill
        # made after this, so it is confirmed when that period is the next to bill.
        raise Conflict(
            f"这项调整自{period_label(approval.effective_period)}起生效，"
            f"{period_label(effective)}的账单还要按现行标准生成。"
            f"请在{period_label(effective)}账单生成之后再确认",
            code="effective_period_not_yet",
        )
    if effective != approval.effective_period:
        raise Conflict(
            f"这项调整原定自{period_label(approval.effective_period)}起生效，但该期账单已经生成，"
            f"现在最早自{period_label(effective)}起。请驳回后重新提交",
            code="effective_period_moved",
        )
    for key, value in new.items():
        setattr(item, key, value)


def effective_period(item: FeeItem, cycle: str, *, locking: bool = False) -> str | None:
    """The first period whose bills a change of the item shapes: the period holding this
    month (Asia/Shanghai) under `cycle` if none of its months is billed yet, else the
    first one after it. None for a shared meter, whose bills are made as each reading is
    confirmed: a change shapes every reading confirmed after it."""
    if item.kind != "per_area":
        return None
    month = utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
    for _ in range(36):
        period = billing_period(cycle, month)
        if not _billed(item.id, period, locking):
            return period
        year, number = (int(part) for part in max(period_months(period)).split("-"))
        month = f"{year + number // 12}-{number % 12 + 1:02d}"
    return period


def _billed(item_id: int, period: str, locking: bool = False) -> bool:
    query = (
        select(Bill.id)
        .where(
            Bill.fee_item_id == item_id,
            Bill.period.in_(overlapping_periods(period) | {period}),
            Bill.void_key == 0,
        )
        .limit(1)
    )
    if locking:  # reads what is committed now, not this transaction's snapshot
        query = query.with_for_update(read=True)
    return db.session.scalar(query) is not None


def _describe(key: str, old, new) -> str:
    return f"{label('fee_field', key)} {_shown(key, old)} → {_shown(key, new)}"


def _shown(key: str, value) -> str:
    if key == "rate":
        return "未设" if value is None else f"{_rate(value)} 元/m²/月"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return label("fee_value", str(value))


def _rate(value) -> str:
    """0.3500 → "0.35", 0.4 → "0.40", 0.3525 → "0.3525"."""
    text = f"{Decimal(value).normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _stored(value):
    return str(value) if isinstance(value, Decimal) else value


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
