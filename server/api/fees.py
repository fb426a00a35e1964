"""Fee items, meter readings, collection figures, unpaid lists, exports, the ledger."""

from apiflask import APIBlueprint
from flask import Response

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
    MeterReadingIn,
    PeriodQuery,
    ReportListOut,
    ResolvedAnomalyOut,
    SummaryOut,
    UnpaidListOut,
)
from server.api.security import auth, principal
from server.services import anomalies, collection, fees, fees_export, ledger, reconciliation

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
@bp.doc(summary="Households with unpaid bills (committee: all; liaison: my units)")
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
@bp.output(BillListOut, status_code=201)
@bp.doc(summary="A unit's stairwell electricity for a month, split into its households' bills")
def meter_reading(body):
    bills = fees.record_meter_reading(
        principal(), body["unit_id"], body["period"], body["amount_fen"]
    )
    return fees.bill_list(bills)


@bp.get("/compounds/<string(maxlength=32):code>/fee-items")
@bp.auth_required(auth)
@bp.output(FeeItemListOut)
@bp.doc(summary="The fees the owners agreed on")
def fee_items(code):
    return {"items": fees.fee_items(principal(), code)}


@bp.patch("/compounds/<string(maxlength=32):code>/fee-items/<string(maxlength=32):item>")
@bp.auth_required(auth)
@bp.input(FeeItemIn, arg_name="body")
@bp.output(FeeItemListOut)
@bp.doc(
    summary="Change a fee's rate, cycle or vacant rule (committee; bills not yet made); all fees"
)
def update_fee_item(code, item, body):
    return {"items": fees.update_fee_item(principal(), code, item, body)}


@bp.get("/ledger")
@bp.auth_required(auth)
@bp.input(LedgerQuery, location="query", arg_name="query")
@bp.output(LedgerPageOut)
@bp.doc(summary="The compound's ledger, newest first, balances, and whether the chain verifies")
def ledger_page(query):
    return ledger.page(principal(), query["compound"], query.get("before_seq"), query["limit"])


@bp.get("/compounds/<string(maxlength=32):code>/payment-anomalies")
@bp.auth_required(auth)
@bp.input(AnomalyQuery, location="query", arg_name="query")
@bp.output(AnomalyListOut)
@bp.doc(summary="Payments that need a look: amount mismatches, double payments (committee)")
def anomaly_list(code, query):
    return {"items": anomalies.anomalies_for(principal(), code, open_only=query["open"])}


@bp.post("/compounds/<string(maxlength=32):code>/payment-anomalies/<int:anomaly_id>/resolve")
@bp.auth_required(auth)
@bp.input(AnomalyResolveIn, arg_name="body")
@bp.output(ResolvedAnomalyOut)
@bp.doc(
    summary="Record a refund made, or resolve an anomaly with a note (committee)",
    responses={409: "already resolved"},
)
def resolve_anomaly(code, anomaly_id, body):
    return anomalies.resolve(
        principal(), code, anomaly_id, body["resolution"], body["refunded_fen"]
    )


@bp.get("/compounds/<string(maxlength=32):code>/payment-reports")
@bp.auth_required(auth)
@bp.output(ReportListOut)
@bp.doc(summary="Daily reconciliation with WeChat Pay, newest first (committee, supervisor)")
def payment_reports(code):
    return {"items": reconciliation.reports_for(principal(), code)}
