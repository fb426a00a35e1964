"""Personal information (PIPL): the consent notices, the access log, a household's own
data (who viewed it, the download) and its erasure."""

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.privacy import (
    AccessLogExportQuery,
    AccessLogOut,
    AccessLogQuery,
    ConsentNoticeOut,
    ErasedOut,
    ErasureIn,
    HouseholdDataOut,
    HouseholdDataQuery,
    HouseholdViewsQuery,
    ViewsOut,
)
from server.api.security import auth, principal
from server.services.privacy import (
    access_log,
    consent_views,
    erasure,
    household_data,
    household_workbook,
)

bp = APIBlueprint("privacy", __name__, url_prefix="/api/v1", tag="Privacy")

COMPOUND = "/compounds/<string(maxlength=32):code>"
LOG_ACCESS = {403: "supervisor_or_committee", 404: "compound_not_found"}
OWN = {403: "own_household_only", 404: "household_not_found"}


@bp.get("/consent/<string(maxlength=16):kind>")
@bp.output(ConsentNoticeOut)
@bp.doc(
    summary="The current consent notice of a kind (binding, census): what is collected, "
    "why, who sees it. No sign-in.",
    responses={404: "consent_not_found"},
)
def notice(kind):
    return consent_views.notice(kind)


def _filters(query) -> access_log.LogFilter:
    return access_log.LogFilter(
        start=query.get("start"), end=query.get("end"), household_id=query.get("household_id")
    )


@bp.get(f"{COMPOUND}/access-log")
@bp.auth_required(auth)
@bp.input(AccessLogQuery, location="query", arg_name="query")
@bp.output(AccessLogOut)
@bp.doc(
    summary="Who read whose personal data, newest first (committee, supervisor; reading it "
    "is itself logged)",
    description="`from`/`to`: days in Asia/Shanghai, both included; `household_id`: only "
    "the entries about that flat; `next_cursor` fetches the next page.",
    responses={400: "bad_range or bad_cursor", **LOG_ACCESS},
)
def read_log(code, query):
    return access_log.read(principal(), code, _filters(query), query.get("cursor"), query["limit"])


@bp.get(f"{COMPOUND}/access-log/export")
@bp.auth_required(auth)
@bp.input(AccessLogExportQuery, location="query", arg_name="query")
@bp.doc(
    summary="The access log as Excel (committee, supervisor; the export is logged)",
    responses={200: XLSX_RESPONSE, 400: "bad_range", **LOG_ACCESS},
)
def export_log(code, query):
    data = access_log.export_xlsx(principal(), code, _filters(query))
    return xlsx_download(data, f"access-log-{code}.xlsx")


@bp.get("/me/household-data")
@bp.auth_required(auth)
@bp.input(HouseholdDataQuery, location="query", arg_name="query")
@bp.output(HouseholdDataOut)
@bp.doc(
    summary="Everything held about my household, phones in full (a resident of it; the "
    "download is logged); `?format=xlsx` as Excel",
    responses={200: {"description": "JSON, or an .xlsx workbook", **XLSX_RESPONSE}, **OWN},
)
def my_household_data(query):
    data = household_data.download(principal(), query["household_id"])
    if query["format"] == "xlsx":
        label = data["household"]["label"]
        return xlsx_download(household_workbook.workbook(data), f"household-{label}.xlsx")
    return data


@bp.get("/me/household-views")
@bp.auth_required(auth)
@bp.input(HouseholdViewsQuery, location="query", arg_name="query")
@bp.output(ViewsOut)
@bp.doc(
    summary="Who viewed my household's record, newest first, names masked (a resident of it)",
    responses={400: "bad_cursor", **OWN},
)
def my_household_views(query):
    return household_data.viewed_by(
        principal(), query["household_id"], query.get("cursor"), query["limit"]
    )


@bp.post("/me/household-data/erasure")
@bp.auth_required(auth)
@bp.input(ErasureIn, arg_name="body")
@bp.output(ErasedOut)
@bp.doc(
    summary="Erase my household's census data now (a resident of it): members anonymised, "
    "care tags removed, open care visit cancelled, census consents withdrawn; bills, "
    "ballots and the access log stay. The unit's liaison is told.",
    responses={400: "confirm_required", **OWN, 409: "compound_archived"},
)
def erase_my_household(body):
    return erasure.erase(principal(), body["household_id"], body["confirm"])
