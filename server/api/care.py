"""Care visits (关爱走访): the compound's cadences, recording a visit, a household's
visits. The caller's care tasks are in GET /me/tasks."""

from apiflask import APIBlueprint

from server.api.schemas.care import (
    CadenceListOut,
    CadencesIn,
    RecordedVisitOut,
    VisitHistoryOut,
    VisitRecordIn,
)
from server.api.security import auth, principal
from server.services.care import settings, visits

bp = APIBlueprint("care", __name__, url_prefix="/api/v1", tag="Care visits")

CADENCES = "/compounds/<string(maxlength=32):code>/care/cadences"


@bp.get(CADENCES)
@bp.auth_required(auth)
@bp.output(CadenceListOut)
@bp.doc(
    summary="How often each care tag is visited here, with the defaults (liaison, "
    "building lead, committee)",
    responses={403: "volunteers_only", 404: "compound_not_found"},
)
def get_cadences(code):
    return {"items": settings.cadences_for(principal(), code)}


@bp.put(CADENCES)
@bp.auth_required(auth)
@bp.input(CadencesIn, arg_name="body")
@bp.output(CadenceListOut)
@bp.doc(
    summary="Set the days between visits of care tags (committee; 0 turns a tag's visits "
    "off); every open visit of the compound follows",
    responses={
        400: "validation_error or duplicate_tag",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def put_cadences(code, body):
    return {"items": settings.set_cadences(principal(), code, body["items"])}


@bp.post("/visits/<int:visit_id>/record")
@bp.auth_required(auth)
@bp.input(VisitRecordIn, arg_name="body")
@bp.output(RecordedVisitOut)
@bp.doc(
    summary="Record a care visit (the unit's liaison, the building lead, the committee): "
    "closes it and makes the next; a concern tells the committee, open_issue opens a care "
    "issue",
    responses={
        400: "validation_error or visited_in_future",
        403: "visit_forbidden",
        404: "visit_not_found",
        409: "visit_closed or compound_archived",
    },
)
def record_visit(visit_id, body):
    return visits.record(principal(), visit_id, visits.Entry(**body))


@bp.get("/households/<int:household_id>/visits")
@bp.auth_required(auth)
@bp.output(VisitHistoryOut)
@bp.doc(
    summary="A household's care visits, the open one first (the household itself, its "
    "unit's liaison, the building lead, the committee); a volunteer's read is logged",
    responses={403: "census_forbidden", 404: "household_not_found"},
)
def household_visits(household_id):
    return visits.history(principal(), household_id)
