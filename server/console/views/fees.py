"""收费项目 and 抄表: the fees the owners agreed on, a change of one proposed by a committee
member and confirmed by a second, different one; the shared stairwell electricity
readings, recorded, confirmed and voided the same way. Every read and write is the
API's own service (server/api/fees.py, pending_changes.py, meter_readings.py)."""

from __future__ import annotations

from flask import request

from server import labels
from server.api.schemas.approvals import MeterReadingIn, RejectChangeIn, VoidReadingIn
from server.api.schemas.fees import FeeItemIn
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.money_forms import fen_from_yuan, optional_id
from server.console.nav import MONEY_ROLES
from server.console.pages import act, compound_code, desk, render
from server.errors import NotFound
from server.labels import label
from server.models.fees import CYCLES, VACANT_RULES
from server.services.money import fee_items, meter_voids, pending_changes
from server.services.money import meter_readings as reading_service
from server.services.people import compounds

# The form's fields named as the fee change's fields are (server/labels.py fee_field).
FEE_LABELS = labels.group("fee_field")
READING_LABELS = {"unit_id": "单元", "period": "月份", "amount_fen": "金额"}
METER_KINDS = ("meter_reading", "meter_void")


def _changes(*kinds: str, status: str = "pending", limit: int = 200) -> list:
    """The compound's latest changes of these kinds in `status` (pending: waiting for a
    second person)."""
    return pending_changes.listed(
        desk().principal, compound_code(), status, kinds=kinds, limit=limit
    )


# ----- 收费项目 -----


@bp.get("/fees")
def fees():
    require(*MONEY_ROLES)
    items = fee_items.items_of(desk().principal, compound_code())
    return render(
        "fees/fees.html",
        title="收费项目",
        nav="desk.fees",
        items=items,
        changes=_changes("fee_change"),
        decided=sorted(
            _changes("fee_change", status="confirmed", limit=10)
            + _changes("fee_change", status="rejected", limit=10),
            key=lambda c: c.approval.decided_at,
            reverse=True,
        )[:10],
        cycles=[(c, label("fee_value", c)) for c in CYCLES],
        vacant_rules=[(r, label("fee_value", r)) for r in VACANT_RULES],
        fee_value=lambda v: label("fee_value", str(v).lower(), str(v)),
    )


@bp.post("/fees/<string(maxlength=32):item>/change")
def fee_change(item: str):
    require("committee")
    form = request.form
    data = {"cycle": form.get("cycle"), "vacant_rule": form.get("vacant_rule")}
    if form.get("rate", "").strip():
        data["rate"] = form["rate"].strip()
    if form.get("active") in ("true", "false"):
        data["active"] = form["active"] == "true"
    data = {k: v for k, v in data.items() if v is not None}
    return act(
        lambda: fee_items.update(
            desk().principal, compound_code(), item, load(FeeItemIn, data, FEE_LABELS)
        ),
        "已提交调整，等另一位业委会成员确认后生效",
    )


# ----- a change waiting for a second person (fees, readings, voids) -----


@bp.post("/changes/<int:change_id>/confirm")
def change_confirm(change_id: int):
    require("committee")
    acknowledged = request.form.get("acknowledge_flag") == "yes"
    return act(
        lambda: pending_changes.confirm(desk().principal, compound_code(), change_id, acknowledged),
        "已确认，变更已生效",
    )


@bp.post("/changes/<int:change_id>/reject")
def change_reject(change_id: int):
    require("committee")
    data = {"reason": request.form.get("reason", "")}
    return act(
        lambda: pending_changes.reject(
            desk().principal,
            compound_code(),
            change_id,
            load(RejectChangeIn, data, {"reason": "理由"})["reason"],
        ),
        "已驳回，没有任何改变",
    )


# ----- 抄表 -----


def _units() -> list[tuple[int, str]]:
    """The compound's units as (id, "1号楼2单元") for a choice."""
    compound = compounds.compound_structure(compound_code())
    return [
        (unit.id, f"{building.name or f'{building.number}号楼'}{unit.number}单元")
        for building in sorted(compound.buildings, key=lambda b: b.number)
        for unit in sorted(building.units, key=lambda u: u.number)
    ]


@bp.get("/meter-readings")
def meter_readings():
    require(*MONEY_ROLES)
    units = _units()
    error, unit_id, readings = None, None, []
    raw = request.args.get("unit", "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) < 2**63:
            unit_id = int(raw)
        else:  # a hand-typed address: say so on the page
            error = "单元选择不对，已显示第一个单元"
    if unit_id is None and units:
        unit_id = units[0][0]
    if unit_id is not None:
        if unit_id not in dict(units):
            raise NotFound("找不到该单元", code="unit_not_found")
        readings = reading_service.readings_of(desk().principal, unit_id)
    return render(
        "fees/meter_readings.html",
        title="抄表",
        nav="desk.meter_readings",
        units=units,
        unit_id=unit_id,
        error=error,
        readings=readings,
        changes=_changes(*METER_KINDS),
        status_label=lambda s: label("reading_status", s, s),
    )


@bp.post("/meter-readings")
def meter_reading_record():
    require("committee")
    form = request.form

    def record():
        data = {
            "unit_id": optional_id(form.get("unit_id")),
            "period": form.get("period", "").strip(),
            "amount_fen": fen_from_yuan(form.get("amount"), "电费金额"),
        }
        body = load(MeterReadingIn, data, READING_LABELS)
        if body["unit_id"] not in dict(_units()):
            raise NotFound("找不到该单元", code="unit_not_found")
        return reading_service.record(
            desk().principal, body["unit_id"], body["period"], body["amount_fen"]
        )

    return act(record, "已登记，等另一位业委会成员确认后计入各户账单")


@bp.post("/meter-readings/<int:reading_id>/void")
def meter_reading_void(reading_id: int):
    require("committee")
    data = {"reason": request.form.get("reason", "")}

    def void():
        # The reading is one of a unit of the desk's compound (the form names the unit).
        unit_id = optional_id(request.form.get("unit_id"))
        if unit_id not in dict(_units()) or not any(
            r.reading.id == reading_id
            for r in reading_service.readings_of(desk().principal, unit_id)
        ):
            raise NotFound("找不到该读数", code="reading_not_found")
        reason = load(VoidReadingIn, data, {"reason": "作废理由"})["reason"]
        return meter_voids.propose(desk().principal, reading_id, reason)

    return act(void, "已提交作废，等另一位业委会成员确认")
