"""Fee items, meter readings and their voids, collection figures, unpaid lists, exports,
the ledger."""

from apiflask import APIBlueprint
from flask import Response

from server.api.schemas.approvals import (
    ChangeOut,
    MeterReadingIn,
    MeterReadingListOut,
    MeterReadingQuery,
    RecordedReadingOut,
    VoidReadingIn,
)
from server.api.schemas.money import (
    AnomalyListOut,
    AnomalyQuery,
    AnomalyResolveIn,
    BillListOut,
    FeeItemIn,
    FeeItemListOut,
    HouseholdQuery,
    LedgerPageOut,
    LedgerQuery,
    PeriodQuery,
    ReportListOut,
    ResolvedAnomalyOut,
    SummaryOut,
    UnpaidListOut,
)
from server.api.security import auth, principal
from server.services.money import (
    anomalies,
    collection,
    fees,
    fees_export,
    ledger,
    meter_readings,
    meter_voids,
    reconciliation,
)
from server.services.money import fee_items as fee_item_changes

bp = APIBlueprint("fees", __name__, url_prefix="/api/v1", tag="Fees")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/fees/summary")
@bp.auth_required(auth)
@bp.input(PeriodQuery, location="query", arg_name="query")
@bp.output(SummaryOut)
@bp.doc(summary="Collection figures for a period, per building and unit (committee, supervisor)")
def summary(query):
    return collection.summary(principal(), query["compound"], query["period"])


@bp.get("/fees/unpaid")
@bp.auth_required(auth)
@bp.input(PeriodQuery, location="query", arg_name="query")
@bp.output(UnpaidListOut)
@bp.doc(summary="Households with unpaid bills (committee, supervisor: all; liaison: my units)")
def unpaid(query):
    return {"items": collection.unpaid(principal(), query["compound"], query["period"])}


@bp.get("/fees/unpaid-bills")
@bp.auth_required(auth)
@bp.input(HouseholdQuery, location="query", arg_name="query")
@bp.output(BillListOut)
@bp.doc(
    summary="A household's bills a collector taking cash deals with: unpaid ones, and those "
    "held by an open WeChat Pay order (payment_id: cancel it first) (liaison, committee)"
)
def unpaid_bills(query):
    return fees.bill_list(collection.household_unpaid_bills(principal(), query["household_id"]))


@bp.get("/fees/export.xlsx")
@bp.auth_required(auth)
@bp.input(PeriodQuery, location="query", arg_name="query")
@bp.doc(
    summary="A period's bills and how they were paid, as Excel (committee, supervisor)",
    responses={200: {"description": "an .xlsx workbook", "content": {XLSX: {}}}},
)
def export(query):
    data = fees_export.export_xlsx(principal(), query["compound"], query["period"])
    name = f"fees-{query['compound']}-{query['period']}.xlsx"
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


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
        409: "reading_exists: the unit's month has a reading already",
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
    responses={409: "not confirmed, or a void is already waiting"},
)
def void_meter_reading(reading_id, body):
    return meter_voids.propose(principal(), reading_id, body["reason"])


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
        409: "cycle_change_mid_period, or a change of this fee already waiting",
    },
)
def update_fee_item(code, item, body):
    return fee_item_changes.update(principal(), code, item, body)


@bp.get("/ledger")
@bp.auth_required(auth)
@bp.input(LedgerQuery, location="query", arg_name="query")
@bp.output(LedgerPageOut)
@bp.doc(
    summary="The compound's ledger, newest first, balances, and whether the chain verifies "
    "(committee, supervisor)"
)
def ledger_page(query):
    return ledger.page(principal(), query["compound"], query.get("before_seq"), query["limit"])


@bp.get("/compounds/<string(maxlength=32):code>/payment-anomalies")
@bp.auth_required(auth)
@bp.input(AnomalyQuery, location="query", arg_name="query")
@bp.output(AnomalyListOut)
@bp.doc(
    summary="Payments that need a look: amount mismatches, double payments (committee, supervisor)"
)
def anomaly_list(code, query):
    return {"items": anomalies.anomalies_for(principal(), code, open_only=query["open"])}


@bp.post("/compounds/<string(maxlength=32):code>/payment-anomalies/<int:anomaly_id>/resolve")
@bp.auth_required(auth)
@bp.input(AnomalyResolveIn, arg_name="body")
@bp.output(ResolvedAnomalyOut)
@bp.doc(
    summary="Record a refund made, or resolve an anomaly with a note (committee)",
    description="A note alone (nothing owed back) resolves it: 200. A refund waits for a "
    "second, different committee member: 202, with `pending_refund`; it counts (ledger, "
    "`refunded_fen`) once confirmed at `/compounds/{code}/pending-changes/{id}/confirm`.",
    responses={202: "the refund waits for a second person", 409: "already resolved"},
)
def resolve_anomaly(code, anomaly_id, body):
    anomaly, waiting = anomalies.resolve(
        principal(), code, anomaly_id, body["resolution"], body["refunded_fen"]
    )
    return anomaly, 202 if waiting else 200


@bp.get("/compounds/<string(maxlength=32):code>/payment-reports")
@bp.auth_required(auth)
@bp.output(ReportListOut)
@bp.doc(summary="Daily reconciliation with WeChat Pay, newest first (committee, supervisor)")
def payment_reports(code):
    return {"items": reconciliation.reports_for(principal(), code)}
