"""The fees the owners agreed on, and proposing a change of one."""

from apiflask import APIBlueprint

from server.api.schemas.approvals import ChangeOut
from server.api.schemas.fees import FeeItemIn, FeeItemListOut
from server.api.security import auth, principal
from server.services.money import fee_items as fee_item_changes

bp = APIBlueprint("fees", __name__, url_prefix="/api/v1", tag="Fees")


@bp.get("/compounds/<string(maxlength=32):code>/fee-items")
@bp.auth_required(auth)
@bp.output(FeeItemListOut)
@bp.doc(summary="The fees the owners agreed on (anyone of the compound)")
def fee_items(code):
    return {"items": fee_item_changes.items_of(principal(), code)}


@bp.patch("/compounds/<string(maxlength=32):code>/fee-items/<string(maxlength=32):item>")
@bp.auth_required(auth)
@bp.input(FeeItemIn, arg_name="body")
@bp.output(ChangeOut, status_code=202)
@bp.doc(
    summary="Propose a change of a fee's rate, cycle, vacant rule or active flag (committee)",
    description="202 Accepted: nothing changes yet. The answer is the proposal, with the "
    "first bill period it shapes (`effective_period`); the fee changes when a second, "
    "different committee member confirms it (`/compounds/{code}/pending-changes/{id}/"
    "confirm`). One open proposal per fee.",
    responses={
        400: "no_change or rate_required",
        403: "committee_only",
        409: "cycle_change_mid_period, a change of this fee already waiting, or compound_archived",
    },
)
def update_fee_item(code, item, body):
    return fee_item_changes.update(principal(), code, item, body)
