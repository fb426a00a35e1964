"""A compound's roster of flats: the template, checking and loading a file, and the
compound overview (小区概况)."""

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.roster import OverviewOut, RosterFileIn, RosterQuery, RosterReportOut
from server.api.security import auth, principal
from server.services.governance import overview as overviews
from server.services.governance import roster, roster_files
from server.services.governance.roster_template import template

bp = APIBlueprint(
    "roster", __name__, url_prefix="/api/v1/compounds/<string(maxlength=32):code>", tag="Compounds"
)


@bp.get("/roster/template.xlsx")
@bp.auth_required(auth)
@bp.doc(
    summary="The roster template, filled with the compound's flats when it has some "
    "(committee, platform admin)",
    responses={
        200: XLSX_RESPONSE,
        403: "committee_only",
        404: "compound_not_found",
    },
)
def roster_template(code):
    data, filename = template(principal(), code)
    return xlsx_download(data, filename)


@bp.post("/roster")
@bp.auth_required(auth)
@bp.input(RosterQuery, location="query", arg_name="query")
@bp.input(RosterFileIn, location="files", arg_name="body")
@bp.output(RosterReportOut)
@bp.doc(
    summary="Check (dry_run=true) or load a roster file, all or nothing (committee, "
    "platform admin)",
    description="New buildings, units and flats are created at once. A changed area or "
    "vacancy of an existing flat waits for a second committee member (`approval_id`, kind "
    "roster_change); floor, note and 自住/出租 change at once. Flats the file leaves out "
    "stay and are listed in `missing`. With any problem nothing changes: 400 "
    "roster_invalid with the same report as `report`.",
    responses={
        400: "bad_roster_file (not xlsx/csv, unreadable, no header, headers missing, over "
        "20,000 rows or 5 MB) or roster_invalid (the report as `report`)",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived or roster_busy",
    },
)
def load_roster(code, query, body):
    file = body.get("file")
    data = file.stream.read(roster_files.MAX_BYTES + 1) if file else None
    name = file.filename if file else None
    return roster.import_roster(principal(), code, data, name, dry_run=query["dry_run"])


@bp.get("/overview")
@bp.auth_required(auth)
@bp.output(OverviewOut)
@bp.doc(
    summary="The compound at a glance: buildings, units, flats, vacant and bound flats, "
    "liaisons per unit, the last roster import (committee, supervisor, building lead, "
    "liaison, platform admin)",
    responses={403: "volunteers_only", 404: "compound_not_found"},
)
def compound_overview(code):
    return overviews.overview(principal(), code)
