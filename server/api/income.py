"""Public income (公共收益): the assets register, contracts and their schedules, and
income recorded by one committee member and confirmed by a second."""

from apiflask import APIBlueprint

from server.api.schemas.income import (
    AssetIn,
    AssetListOut,
    AssetOut,
    AssetPatchIn,
    ContractDetailOut,
    ContractIn,
    ContractListOut,
    EndContractIn,
    IncomeIn,
    IncomeListOut,
    IncomeOut,
    IncomeQuery,
    RejectIncomeIn,
)
from server.api.security import auth, principal
from server.services.income import assets, contracts, records

bp = APIBlueprint("income", __name__, url_prefix="/api/v1", tag="Public income")
COMPOUND = "/compounds/<string(maxlength=32):code>"
DECIDE = {
    403: "committee_only, or same_person (the recorder)",
    404: "income_not_found",
    409: "income_decided or compound_archived",
}


def _assets(rows) -> list[dict]:
    photos = assets.photos_of(rows)
    return [{"asset": a, "photos": photos[a.id]} for a in rows]


@bp.post(f"{COMPOUND}/assets")
@bp.auth_required(auth)
@bp.input(AssetIn, arg_name="body")
@bp.output(AssetOut, status_code=201)
@bp.doc(
    summary="Register an asset that earns: an ad space, a parking space, a room (committee)",
    responses={
        400: "photo_invalid, too_many_photos or validation_error",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def create_asset(code, body):
    photos = body.pop("photos")
    return _assets([assets.create(principal(), code, body, photos)])[0]


@bp.get(f"{COMPOUND}/assets")
@bp.auth_required(auth)
@bp.output(AssetListOut)
@bp.doc(
    summary="The compound's assets (anyone of the compound; retired ones: committee, supervisor)",
    responses={404: "compound_not_found"},
)
def list_assets(code):
    return {"items": _assets(assets.list_of(principal(), code))}


@bp.patch("/assets/<int:asset_id>")
@bp.auth_required(auth)
@bp.input(AssetPatchIn, arg_name="body")
@bp.output(AssetOut)
@bp.doc(
    summary="Rename, move, annotate or retire an asset (committee)",
    responses={
        400: "no_change or validation_error",
        403: "committee_only",
        404: "asset_not_found",
        409: "compound_archived",
    },
)
def update_asset(asset_id, body):
    return _assets([assets.update(principal(), asset_id, body)])[0]


@bp.post(f"{COMPOUND}/contracts")
@bp.auth_required(auth)
@bp.input(ContractIn, arg_name="body")
@bp.output(ContractDetailOut, status_code=201)
@bp.doc(
    summary="Register a contract and its payment schedule (committee)",
    description="One instalment of `price_fen` on `start_on` and every cycle after it "
    "while before `end_on` (one for `once`); a start on the 29th-31st falls on the last "
    "day of shorter months. At most 10 years.",
    responses={
        400: "end_not_after_start, contract_too_long, photo_invalid, too_many_photos or "
        "validation_error",
        403: "committee_only",
        404: "compound_not_found or asset_not_found",
        409: "asset_inactive or compound_archived",
    },
)
def create_contract(code, body):
    scan = body.pop("scan")
    return contracts.create(principal(), code, body, scan)


@bp.get(f"{COMPOUND}/contracts")
@bp.auth_required(auth)
@bp.output(ContractListOut)
@bp.doc(
    summary="The compound's contracts with next due, overdue and paid instalments "
    "(committee, supervisor)",
    responses={403: "committee_only", 404: "compound_not_found"},
)
def list_contracts(code):
    return {"items": contracts.list_of(principal(), code)}


@bp.get("/contracts/<int:contract_id>")
@bp.auth_required(auth)
@bp.output(ContractDetailOut)
@bp.doc(
    summary="One contract with its whole schedule (committee, supervisor)",
    responses={403: "committee_only", 404: "contract_not_found"},
)
def get_contract(contract_id):
    return contracts.get(principal(), contract_id)


@bp.post("/contracts/<int:contract_id>/end")
@bp.auth_required(auth)
@bp.input(EndContractIn, arg_name="body")
@bp.output(ContractDetailOut)
@bp.doc(
    summary="End a contract early (committee): unpaid instalments not yet due are dropped",
    responses={
        403: "committee_only",
        404: "contract_not_found",
        409: "contract_ended or compound_archived",
    },
)
def end_contract(contract_id, body):
    return contracts.end(principal(), contract_id, body["reason"])


@bp.post(f"{COMPOUND}/income")
@bp.auth_required(auth)
@bp.input(IncomeIn, arg_name="body")
@bp.output(IncomeOut, status_code=201)
@bp.doc(
    summary="Record public income received (committee): it waits for a second member",
    description="With `contract_id` it pays the contract's instalment `instalment_id`, "
    "else its oldest with no income recorded. Counted (a credit to the co-construction "
    "fund) when a committee member other than the recorder confirms it.",
    responses={
        400: "received_on_in_future, contract_required, photo_invalid or validation_error",
        403: "committee_only",
        404: "compound_not_found, contract_not_found or instalment_not_found",
        409: "instalment_taken, nothing_due or compound_archived",
    },
)
def record_income(code, body):
    receipt = body.pop("receipt", None)
    me = principal()
    return records.view(me, records.record(me, code, body, receipt))


@bp.get(f"{COMPOUND}/income")
@bp.auth_required(auth)
@bp.input(IncomeQuery, location="query", arg_name="query")
@bp.output(IncomeListOut)
@bp.doc(
    summary="The compound's income records, newest first (committee, supervisor)",
    responses={403: "committee_only", 404: "compound_not_found"},
)
def list_income(code, query):
    return {"items": records.list_of(principal(), code, query.get("status"))}


@bp.post("/income/<int:income_id>/confirm")
@bp.auth_required(auth)
@bp.output(IncomeOut)
@bp.doc(
    summary="Confirm (a second, different committee member): the co-construction fund is credited",
    responses=DECIDE,
)
def confirm_income(income_id):
    me = principal()
    return records.view(me, records.confirm(me, income_id))


@bp.post("/income/<int:income_id>/reject")
@bp.auth_required(auth)
@bp.input(RejectIncomeIn, arg_name="body")
@bp.output(IncomeOut)
@bp.doc(
    summary="Reject with a reason (a second committee member): nothing counted", responses=DECIDE
)
def reject_income(income_id, body):
    me = principal()
    return records.view(me, records.reject(me, income_id, body["reason"]))
