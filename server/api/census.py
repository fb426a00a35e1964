"""The census (清单式摸底): a household's record (members, care tags, where it lives),
kept by the household itself and its volunteers; their lists and coverage; the
committee's import and export. Phones in full and sensitive tags are logged when read."""

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.census import (
    CensusExportQuery,
    CensusFileIn,
    CensusListOut,
    CensusListQuery,
    CensusOut,
    ConfirmIn,
    CoverageOut,
    ImportQuery,
    ImportReportOut,
    MemberIn,
    MemberPatchIn,
    MemberSavedOut,
    MovedOutOut,
    ReasonQuery,
    TagsIn,
    TagsOut,
)
from server.api.security import auth, principal
from server.services.census import census_export, census_import, coverage, members, records, tags
from server.services.governance import roster_files

bp = APIBlueprint("census", __name__, url_prefix="/api/v1", tag="Census")

HOUSEHOLD = "/households/<int:household_id>"
COMPOUND = "/compounds/<string(maxlength=32):code>/census"
READ = {403: "census_forbidden", 404: "household_not_found"}
WRITE = {**READ, 409: "compound_archived"}
VOLUNTEERS = {403: "volunteers_only", 404: "compound_not_found"}


@bp.get(f"{HOUSEHOLD}/census")
@bp.auth_required(auth)
@bp.input(ReasonQuery, location="query", arg_name="query")
@bp.output(CensusOut)
@bp.doc(
    summary="A household's census record (the resident household itself, its unit's "
    "liaison, its building lead, the committee)",
    description="Phones in full for the household, the liaison and the committee, masked "
    "for the building lead; `tags` is absent for whoever may not see them. Every read of "
    "phones in full or sensitive tags by someone else is logged with `reason`.",
    responses=READ,
)
def census(household_id, query):
    return records.view(principal(), household_id, query.get("reason"))


@bp.post(f"{HOUSEHOLD}/members")
@bp.auth_required(auth)
@bp.input(MemberIn, arg_name="body")
@bp.output(MemberSavedOut, status_code=201)
@bp.doc(
    summary="Register a person of the household (the household itself, its unit's liaison, "
    "its building lead, the committee), with their consent",
    description="`consent: true`: the person agreed to the census notice; a volunteer "
    "entering it records consent given on the doorstep.",
    responses={
        400: "consent_required, bad_phone or validation_error",
        **WRITE,
    },
)
def add_member(household_id, body):
    consented = body.pop("consent")
    return members.add(principal(), household_id, body, consented)


@bp.patch(f"{HOUSEHOLD}/members/<int:member_id>")
@bp.auth_required(auth)
@bp.input(MemberPatchIn, arg_name="body")
@bp.output(MemberSavedOut)
@bp.doc(
    summary="Correct a person of the household (the household itself, its volunteers)",
    responses={
        400: "bad_phone or validation_error",
        403: "census_forbidden",
        404: "household_not_found or member_not_found",
        409: "compound_archived",
    },
)
def update_member(household_id, member_id, body):
    return members.update(principal(), household_id, member_id, body)


@bp.delete(f"{HOUSEHOLD}/members/<int:member_id>")
@bp.auth_required(auth)
@bp.output(MovedOutOut)
@bp.doc(
    summary="A person moved out (the household itself, its volunteers): no longer shown, "
    "anonymised after the compound's retention",
    responses={
        403: "census_forbidden",
        404: "household_not_found or member_not_found",
        409: "compound_archived",
    },
)
def remove_member(household_id, member_id):
    return members.move_out(principal(), household_id, member_id)


@bp.put(f"{HOUSEHOLD}/tags")
@bp.auth_required(auth)
@bp.input(TagsIn, arg_name="body")
@bp.output(TagsOut)
@bp.doc(
    summary="Set the household's care tags (its unit's liaison, building lead, the "
    "committee); its care visit is made or cancelled to match",
    responses={
        400: "validation_error",
        403: "census_forbidden or tags_forbidden",
        404: "household_not_found",
        409: "compound_archived",
    },
)
def set_tags(household_id, body):
    return tags.set_tags(principal(), household_id, body["tags"])


@bp.post(f"{HOUSEHOLD}/confirm")
@bp.auth_required(auth)
@bp.input(ConfirmIn, arg_name="body")
@bp.output(CensusOut)
@bp.doc(
    summary="Confirm the household's record as it stands (the household itself, its "
    "volunteers), optionally with where it lives",
    responses={400: "validation_error", **WRITE},
)
def confirm(household_id, body):
    return records.confirm(principal(), household_id, body.get("occupancy"))


@bp.post(f"{HOUSEHOLD}/move-out")
@bp.auth_required(auth)
@bp.output(CensusOut)
@bp.doc(
    summary="The whole household moved out (its unit's liaison, the committee): members "
    "and tags removed, its care visit cancelled",
    responses={
        403: "census_forbidden or move_out_forbidden",
        404: "household_not_found",
        409: "compound_archived",
    },
)
def move_out(household_id):
    return records.move_out(principal(), household_id)


@bp.get(f"{COMPOUND}/households")
@bp.auth_required(auth)
@bp.input(CensusListQuery, location="query", arg_name="query")
@bp.output(CensusListOut)
@bp.doc(
    summary="The households a volunteer looks after, all or to visit (liaison: own units; "
    "building lead: building; committee: all)",
    description="to_visit: never confirmed, or confirmed over 365 days ago. The sensitive "
    "tags listed are logged.",
    responses={
        400: "bad_unit or validation_error",
        403: "volunteers_only",
        404: "compound_not_found or unit_not_found",
    },
)
def census_households(code, query):
    only = query["filter"] == "to_visit"
    return coverage.households(principal(), code, query.get("unit"), only)


@bp.get(f"{COMPOUND}/coverage")
@bp.auth_required(auth)
@bp.output(CoverageOut)
@bp.doc(
    summary="Census coverage per building and unit (liaison: own units; building lead: "
    "building; committee: all)",
    responses=VOLUNTEERS,
)
def census_coverage(code):
    return coverage.coverage(principal(), code)


@bp.get(f"{COMPOUND}/template")
@bp.auth_required(auth)
@bp.doc(
    summary="The census import template (committee)",
    responses={200: XLSX_RESPONSE, 403: "committee_only", 404: "compound_not_found"},
)
def census_template(code):
    data, filename = census_export.template(principal(), code)
    return xlsx_download(data, filename)


@bp.post(f"{COMPOUND}/import")
@bp.auth_required(auth)
@bp.input(ImportQuery, location="query", arg_name="query")
@bp.input(CensusFileIn, location="files", arg_name="body")
@bp.output(ImportReportOut)
@bp.doc(
    summary="Check (dry_run=true) or load a census file, all or nothing (committee)",
    description="One person per row; a person already registered at the flat under the "
    "same name is updated. With any problem a real run changes nothing: 400 "
    "census_invalid with the report as `report`.",
    responses={
        400: "bad_census_file or census_invalid (the report as `report`)",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def census_import_file(code, query, body):
    file = body.get("file")
    data = file.stream.read(roster_files.MAX_BYTES + 1) if file else None
    return census_import.import_census(principal(), code, data, dry_run=query["dry_run"])


@bp.get(f"{COMPOUND}/export")
@bp.auth_required(auth)
@bp.input(CensusExportQuery, location="query", arg_name="query")
@bp.doc(
    summary="The census as a workbook (liaison: own units; building lead: building; "
    "committee: all)",
    description="Phones masked and no tags unless include_sensitive=true; the export is "
    "logged per household either way, with the reason.",
    responses={200: XLSX_RESPONSE, **VOLUNTEERS},
)
def census_export_file(code, query):
    data, filename = census_export.export(
        principal(), code, query["include_sensitive"], query.get("reason")
    )
    return xlsx_download(data, filename)
