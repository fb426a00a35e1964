"""Changes of money waiting for a second committee member: the list, confirm, reject."""

from apiflask import APIBlueprint

from server.api.schemas.approvals import (
    ChangeOut,
    ConfirmChangeIn,
    PendingChangeListOut,
    PendingChangeQuery,
    RejectChangeIn,
)
from server.api.security import auth, principal
from server.services.money import pending_changes

bp = APIBlueprint(
    "pending_changes",
    __name__,
    url_prefix="/api/v1/compounds/<string(maxlength=32):code>/pending-changes",
    tag="Fees",
)


@bp.get("")
@bp.auth_required(auth)
@bp.input(PendingChangeQuery, location="query", arg_name="query")
@bp.output(PendingChangeListOut)
@bp.doc(
    summary="Changes of money waiting for a second person, newest first (committee, supervisor)",
    description="Meter readings (with their flag), voids of readings, fee changes (old → new, "
    "from which period) and refunds: who proposed what and when. `mine` marks the caller's "
    "own, which another committee member must decide.",
)
def list_changes(code, query):
    return {"items": pending_changes.listed(principal(), code, query["status"])}


@bp.post("/<int:change_id>/confirm")
@bp.auth_required(auth)
@bp.input(ConfirmChangeIn, arg_name="body")
@bp.output(ChangeOut)
@bp.doc(
    summary="Confirm (a committee member other than the proposer): the change counts now",
    responses={
        400: "flag_not_acknowledged: a flagged reading needs acknowledge_flag",
        403: "not committee, or the proposer (same_person)",
        409: "already decided (change_decided), the change no longer holds, or compound_archived",
    },
)
def confirm(code, change_id, body):
    return pending_changes.confirm(principal(), code, change_id, body["acknowledge_flag"])


@bp.post("/<int:change_id>/reject")
@bp.auth_required(auth)
@bp.input(RejectChangeIn, arg_name="body")
@bp.output(ChangeOut)
@bp.doc(
    summary="Reject with a reason (a committee member other than the proposer): nothing changes",
    responses={
        403: "not committee, or the proposer",
        409: "already decided, or compound_archived",
    },
)
def reject(code, change_id, body):
    return pending_changes.reject(principal(), code, change_id, body["reason"])
