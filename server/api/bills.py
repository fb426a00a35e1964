"""GET /bills: my household's bills, unpaid first."""

from apiflask import APIBlueprint

from server.api.schemas.money import BillListOut, BillQuery
from server.api.security import auth, principal
from server.services.money import bills

bp = APIBlueprint("bills", __name__, url_prefix="/api/v1/bills", tag="Fees")


@bp.get("")
@bp.auth_required(auth)
@bp.input(BillQuery, location="query", arg_name="query")
@bp.output(BillListOut)
@bp.doc(
    summary="My households' bills, unpaid first",
    responses={404: "household_not_found: household_id is not one of mine"},
)
def my_bills(query):
    household = query.get("household_id")
    mine = bills.bills_of(principal(), None if household is None else [household])
    return bills.bill_list(mine)
