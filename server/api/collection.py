"""A period's collection: figures, the unpaid lists, a household's open bills, the Excel export."""

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.fees import PeriodQuery, SummaryOut, UnpaidListOut
from server.api.schemas.money import BillListOut, HouseholdQuery
from server.api.security import auth, principal
from server.database.read import replica_reads
from server.services.money import bills, collection, fees_export

bp = APIBlueprint("collection", __name__, url_prefix="/api/v1", tag="Fees")


@bp.get("/fees/summary")
@bp.auth_required(auth)
@replica_reads
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
    return bills.bill_list(collection.household_unpaid_bills(principal(), query["household_id"]))


@bp.get("/fees/export.xlsx")
@bp.auth_required(auth)
@replica_reads
@bp.input(PeriodQuery, location="query", arg_name="query")
@bp.doc(
    summary="A period's bills and how they were paid, as Excel (committee, supervisor)",
    responses={200: XLSX_RESPONSE},
)
def export(query):
    data = fees_export.export_xlsx(principal(), query["compound"], query["period"])
    return xlsx_download(data, f"fees-{query['compound']}-{query['period']}.xlsx")
