"""Liaison handovers: a unit's liaison steps down and a successor takes the unit over."""

from apiflask import APIBlueprint

from server.api.schemas.handovers import (
    HandoverIn,
    HandoverListOut,
    HandoverListQuery,
    HandoverOut,
    PreviewOut,
    PreviewQuery,
)
from server.api.security import auth, principal
from server.services.governance import handover_views, handovers

bp = APIBlueprint("handovers", __name__, url_prefix="/api/v1/compounds", tag="Governance")

WHO = "committee, platform admin, or the unit's liaison stepping down"


@bp.post("/<string(maxlength=32):code>/handovers")
@bp.auth_required(auth)
@bp.input(HandoverIn, arg_name="body")
@bp.output(HandoverOut, status_code=201)
@bp.doc(
    summary=f"Hand a unit over from its liaison to a successor ({WHO})",
    description="In one go: the successor becomes the unit's liaison, the predecessor's "
    "role ends, their open issues and pending in-person return visits of the unit move "
    "to the successor (binding reviews and unpaid bills follow the role); the successor "
    "is pushed a summary and the predecessor is told.",
    responses={
        400: "unit_required, bad_unit, same_person or from_required (several liaisons)",
        403: "committee_only",
        404: "compound_not_found, unit_not_found or person_not_found",
        409: "no_liaison, compound_archived or handover_changed (handed over at the "
        "same moment by someone else)",
    },
)
def create(code, body):
    handover = handovers.hand_over(
        principal(), code, body["unit"], body["to_user_id"], body["from_user_id"]
    )
    return handover_views.views_of(handover.compound_id, [handover])[0]


@bp.get("/<string(maxlength=32):code>/handovers/preview")
@bp.auth_required(auth)
@bp.input(PreviewQuery, location="query", arg_name="query")
@bp.output(PreviewOut)
@bp.doc(
    summary=f"What a unit's handover would move, and who could take over ({WHO})",
    description="The unit's liaisons with their open issues and in-person visits, the "
    "unit's pending binding reviews and unpaid households, and candidate successors (the "
    "unit's residents and the compound's volunteers; no phone numbers). Access-logged.",
    responses={
        400: "unit_required or bad_unit",
        403: "committee_only",
        404: "compound_not_found or unit_not_found",
    },
)
def preview(code, query):
    return handover_views.preview(principal(), code, query["unit"])


@bp.get("/<string(maxlength=32):code>/handovers")
@bp.auth_required(auth)
@bp.input(HandoverListQuery, location="query", arg_name="query")
@bp.output(HandoverListOut)
@bp.doc(
    summary="A compound's handovers, newest first, paged (committee, supervisor)",
    responses={403: "committee_only", 404: "compound_not_found"},
)
def list_handovers(code, query):
    items, next_before = handover_views.list_for(
        principal(), code, before=query.get("before"), limit=query["limit"]
    )
    return {"items": items, "next_before": next_before}
