"""Shared stairwell electricity: recording a unit's meter reading, listing them, voiding one."""

from apiflask import APIBlueprint

from server.api.schemas.approvals import (
    ChangeOut,
    MeterReadingIn,
    MeterReadingListOut,
    MeterReadingQuery,
    RecordedReadingOut,
    VoidReadingIn,
)
from server.api.security import auth, principal
from server.services.money import meter_readings, meter_voids

bp = APIBlueprint("meter_readings", __name__, url_prefix="/api/v1", tag="Fees")


@bp.post("/meter-readings")
@bp.auth_required(auth)
@bp.input(MeterReadingIn, arg_name="body")
@bp.output(RecordedReadingOut, status_code=201)
@bp.doc(
    summary="Record a unit's stairwell electricity for a month (the unit's liaison, committee)",
    description="The reading is created pending: it is split into its households' bills "
    "only when a committee member other than the recorder confirms it "
    "(`/compounds/{code}/pending-changes/{id}/confirm`). Refused: a month after next "
    "month (Asia/Shanghai), an amount above METER_READING_MAX_FEN. A reading above "
    "METER_READING_FLAG_MULTIPLE times the unit's recent average is flagged.",
    responses={
        400: "period_too_late or amount_out_of_range",
        403: "not_a_handler",
        404: "unit_not_found or fee_item_not_found",
        409: "reading_exists: the unit's month has a reading already; compound_archived",
    },
)
def meter_reading(body):
    return meter_readings.record(principal(), body["unit_id"], body["period"], body["amount_fen"])


@bp.get("/meter-readings")
@bp.auth_required(auth)
@bp.input(MeterReadingQuery, location="query", arg_name="query")
@bp.output(MeterReadingListOut)
@bp.doc(summary="A unit's latest readings, whatever their status (its liaison, committee)")
def meter_reading_list(query):
    return {"items": meter_readings.readings_of(principal(), query["unit_id"])}


@bp.post("/meter-readings/<int:reading_id>/void")
@bp.auth_required(auth)
@bp.input(VoidReadingIn, arg_name="body")
@bp.output(ChangeOut, status_code=202)
@bp.doc(
    summary="Propose to void a wrong confirmed reading (committee); a second member confirms",
    description="Once confirmed, its unpaid bills are cancelled and its paid ones too, their "
    "money moved to the refund account with an anomaly per household to refund.",
    responses={409: "not confirmed, a void is already waiting, or compound_archived"},
)
def void_meter_reading(reading_id, body):
    return meter_voids.propose(principal(), reading_id, body["reason"])
