"""公共收入: the assets that earn (ad spaces, parking, rooms), the contracts let on them
and their instalments, and the income received, recorded by one committee member and
counted only when a second one confirms it. Every read and write is the API's own
service (server/api/income.py)."""

from __future__ import annotations

from flask import request

from server.api.schemas.income import (
    AssetIn,
    ContractIn,
    EndContractIn,
    IncomeIn,
    RejectIncomeIn,
)
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.money_forms import fen_from_yuan, optional_id, photo
from server.console.nav import MONEY_ROLES
from server.console.pages import act, choices, compound_code, desk, render
from server.errors import NotFound
from server.labels import label
from server.models.income import (
    ASSET_KINDS,
    CONTRACT_CYCLES,
    INCOME_KINDS,
    INCOME_METHODS,
    INCOME_STATUSES,
)
from server.services.income import assets, contracts, records

LABELS = {
    "kind": "类别",
    "amount_fen": "金额",
    "price_fen": "每期金额",
    "received_on": "收款日期",
    "method": "收款方式",
    "contract_id": "合同",
    "payer": "付款人",
    "note": "备注",
    "reason": "理由",
    "name": "名称",
    "location": "位置",
    "counterparty": "对方单位",
    "cycle": "收款周期",
    "start_on": "开始日期",
    "end_on": "结束日期",
    "asset_id": "资产",
}
STATES = {"paid": "已收", "waiting": "已登记待确认", "overdue": "逾期未收", "due": "未到期"}


def _form(*names: str) -> dict:
    """The form's text fields, left out when empty (the schema says which are needed)."""
    values = {n: request.form.get(n, "").strip() for n in names}
    return {n: v for n, v in values.items() if v}


@bp.get("/income")
def income():
    require(*MONEY_ROLES)
    status = request.args.get("status") or None
    error = None
    if status not in (None, *INCOME_STATUSES):
        error, status = "没有这个状态，已显示全部收入", None
    me = desk().principal
    rows = assets.list_of(me, compound_code())
    photos = assets.photos_of(rows)
    return render(
        "spending/income.html",
        title="公共收入",
        nav="desk.income",
        error=error,
        chosen=status,  # not `status`: render's HTTP status
        records=records.list_of(me, compound_code(), status),
        contracts=contracts.list_of(me, compound_code()),
        assets=[(a, photos[a.id]) for a in rows],
        statuses=choices("income_status", INCOME_STATUSES),
        kinds=choices("income_kind", INCOME_KINDS),
        methods=choices("pay_method", INCOME_METHODS),
        cycles=choices("contract_cycle", CONTRACT_CYCLES),
        asset_kinds=choices("asset_kind", ASSET_KINDS),
        name_of=label,
    )


@bp.post("/income")
def income_record():
    require("committee")

    def record():
        data = _form("kind", "received_on", "method", "payer", "note")
        data["amount_fen"] = fen_from_yuan(request.form.get("amount"), "收入金额")
        data["contract_id"] = optional_id(request.form.get("contract_id"))
        body = load(IncomeIn, data, LABELS)
        body.pop("receipt", None)
        receipt = photo(desk().principal, request.files, "receipt")
        return records.record(
            desk().principal, compound_code(), body, receipt[0] if receipt else None
        )

    return act(record, "已登记收入，等另一位业委会成员确认后计入共建资金")


def _waiting_here(income_id: int) -> None:
    """The income waits in the desk compound (else the 404 any unknown id gets)."""
    waiting = records.list_of(desk().principal, compound_code(), "pending")
    if not any(v.income.id == income_id for v in waiting):
        raise NotFound("找不到这笔收入，或已有人处理", code="income_not_found")


@bp.post("/income/<int:income_id>/confirm")
def income_confirm(income_id: int):
    require("committee")

    def confirm():
        _waiting_here(income_id)
        return records.confirm(desk().principal, income_id)

    return act(confirm, "已确认，收入已计入共建资金")


@bp.post("/income/<int:income_id>/reject")
def income_reject(income_id: int):
    require("committee")
    data = {"reason": request.form.get("reason", "")}

    def reject():
        _waiting_here(income_id)
        return records.reject(
            desk().principal, income_id, load(RejectIncomeIn, data, LABELS)["reason"]
        )

    return act(reject, "已驳回，这笔收入不计入")


@bp.post("/income/assets")
def asset_new():
    require("committee")

    def create():
        body = load(AssetIn, _form("kind", "name", "location", "note"), LABELS)
        body.pop("photos", None)
        return assets.create(desk().principal, compound_code(), body, [])

    return act(create, "已登记资产")


@bp.post("/income/contracts")
def contract_new():
    require("committee")

    def create():
        data = _form("counterparty", "kind", "cycle", "start_on", "end_on", "note")
        data["price_fen"] = fen_from_yuan(request.form.get("price"), "每期金额")
        data["asset_id"] = optional_id(request.form.get("asset_id"))
        body = load(ContractIn, data, LABELS)
        body.pop("scan", None)
        scan = photo(desk().principal, request.files, "scan")
        return contracts.create(desk().principal, compound_code(), body, scan)

    return act(create, "已登记合同和收款计划")


def _contract(contract_id: int):
    view = contracts.get(desk().principal, contract_id)
    if view.contract.compound_id != desk().compound.id:
        raise NotFound("找不到该合同", code="contract_not_found")
    return view


@bp.get("/income/contracts/<int:contract_id>")
def contract(contract_id: int):
    require(*MONEY_ROLES)
    view = _contract(contract_id)
    return render(
        "spending/contract.html",
        title=f"合同：{view.contract.counterparty}",
        nav="desk.income",
        c=view,
        states=STATES,
        name_of=label,
    )


@bp.post("/income/contracts/<int:contract_id>/end")
def contract_end(contract_id: int):
    require("committee")

    def end():
        _contract(contract_id)
        body = load(EndContractIn, {"reason": request.form.get("reason", "")}, LABELS)
        return contracts.end(desk().principal, contract_id, body["reason"])

    return act(end, "合同已提前终止，未到期的款项不再收取")
