"""A roster re-import's changes of floor area and vacancy, once a second committee
member decides: confirmed, each flat changes and a `HouseholdChange` keeps who proposed,
who confirmed, old and new and the first bill month it shapes; rejected, nothing
changes. Bills already issued keep their amounts (they store them); the next bill run
uses the new area.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict
from server.extensions import db
from server.models import Approval, Bill, FeeItem, Household, HouseholdChange
from server.services.governance import audit
from server.services.money.periods import month_after, overlapping_periods, period_months
from server.services.people.access import Principal

CHAIN_MAX = 36  # bills are never made years ahead: a bound, not a rule


def confirm(approval: Approval, principal: Principal, _acknowledged: bool) -> None:
    """Apply the waiting changes (no commit).

    Raises Conflict (roster_changed): a flat's area or vacancy is no longer what the
    proposal started from (changed meanwhile) — reject it and import again.
    """
    wanted = {item["id"]: item for item in approval.details["households"]}
    flats = db.session.scalars(
        select(Household)
        .where(Household.id.in_(wanted), Household.compound_id == approval.compound_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    stale = [
        wanted[f.id]["label"]
        for f in flats
        if f.area_m2 != Decimal(wanted[f.id]["old_area_m2"])
        or f.occupancy != wanted[f.id]["old_occupancy"]
    ]
    if stale or len(flats) != len(wanted):
        shown = "、".join(stale[:3]) + (" 等" if len(stale) > 3 else "")
        raise Conflict(
            f"{shown or '部分房屋'}的面积或空置状态在提交后又被改过，请驳回后重新导入名册",
            code="roster_changed",
        )
    period = effective_month(approval.compound_id)
    now = utcnow()
    rows = []
    for flat in flats:
        item = wanted[flat.id]
        rows.append(
            {
                "compound_id": approval.compound_id,
                "household_id": flat.id,
                "import_id": approval.details.get("import_id"),
                "old_area_m2": flat.area_m2,
                "new_area_m2": Decimal(item["new_area_m2"]),
                "old_occupancy": flat.occupancy,
                "new_occupancy": item["new_occupancy"],
                "proposed_by_id": approval.proposed_by_id,
                "confirmed_by_id": principal.id,
                "created_at": now,
                "effective_period": period,
            }
        )
        flat.area_m2 = Decimal(item["new_area_m2"])
        if flat.occupancy != item["new_occupancy"]:
            flat.occupancy, flat.tenure = item["new_occupancy"], item["new_tenure"]
    db.session.execute(insert(HouseholdChange), rows)
    audit.record(
        approval.compound_id,
        "roster_change_confirmed",
        f"确认房屋调整（{len(rows)} 户）：{approval.summary}",
        actor_id=principal.id,
        details={"approval_id": approval.id, "households": len(rows), "effective": period},
    )


def reject(approval: Approval) -> None:
    """Record the rejection in the audit log (no commit); no flat changes. Called once
    the approval is closed (its decider and reason are set)."""
    audit.record(
        approval.compound_id,
        "roster_change_rejected",
        f"驳回房屋调整：{approval.summary}"
        + (f"。理由：{approval.reason}" if approval.reason else ""),
        actor_id=approval.decided_by_id,
        details={"approval_id": approval.id},
    )


def effective_month(compound_id: int) -> str:
    """The first month whose area fees a change confirmed now would shape: this month
    (Asia/Shanghai) unless an area bill already covers it, else the first month after
    the bills that do (a quarter or a year billed at its start covers months still to
    come, and those bills never change)."""
    month = utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
    for _ in range(CHAIN_MAX):
        billed = db.session.scalars(
            select(Bill.period)
            .join(FeeItem, FeeItem.id == Bill.fee_item_id)
            .where(
                FeeItem.compound_id == compound_id,
                FeeItem.kind == "per_area",
                Bill.period.in_(overlapping_periods(month) | {month}),
                Bill.void_key == 0,
            )
            .distinct()
        ).all()
        if not billed:
            break
        month = month_after(max(m for period in billed for m in period_months(period)))
    return month
