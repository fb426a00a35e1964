"""Issues (报事): report, list, read with the timeline, act on, answer the return visit."""

from apiflask import APIBlueprint

from server.api import presenters
from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.fast_input import query_input
from server.api.fast_json import compile_schema, json_response
from server.api.schemas.issues import (
    ExportQuery,
    IssueIn,
    IssueListOut,
    IssueOut,
    IssueQuery,
    ReturnVisitIn,
    ReturnVisitOut,
    StatsOut,
    StatsQuery,
    TransitionIn,
)
from server.api.security import auth, principal
from server.database.read import replica_reads
from server.services.issues import detail as details
from server.services.issues import registers, reports, return_visits, views
from server.services.issues.flow import Action

bp = APIBlueprint("issues", __name__, url_prefix="/api/v1/issues", tag="Issues")

# The schemas' dumps, compiled once: the views answer with them (server/api/fast_json.py).
issue_json = compile_schema(IssueOut)
issue_list_json = compile_schema(IssueListOut)


@bp.post("")
@bp.auth_required(auth)
@bp.input(IssueIn, arg_name="body")
@bp.output(IssueOut, status_code=201)
@bp.doc(
    summary="Report an issue (or file one for a neighbour without WeChat)",
    description="Upload photos first (`POST /uploads`), then name their ids in `photos`.",
    responses={
        400: "photo_invalid (not my own unattached upload), too_many_photos, "
        "compound_required, household_required or validation_error",
        403: "not_bound, not_your_household, not_your_unit or not_your_building",
        404: "household_not_found, unit_not_found, building_not_found or compound_not_found",
        409: "compound_archived",
    },
)
def report(body):
    shown = reports.report_and_show(principal(), reports.NewIssue(**body))
    return json_response(issue_json(presenters.issue_detail(shown)), 201)


@bp.get("")
@bp.auth_required(auth)
@query_input(bp, IssueQuery, arg_name="query")
@bp.output(IssueListOut)
@bp.doc(summary="Issues I may see, newest first (filters; cursor pagination)")
def list_issues(query):
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    rows, next_cursor = views.list_issues(
        principal(), views.Filters(**query), cursor=cursor, limit=limit
    )
    items = [presenters.issue_item(row) for row in rows]
    return json_response(issue_list_json({"items": items, "next_cursor": next_cursor}))


@bp.get("/register.xlsx")
@bp.auth_required(auth)
@replica_reads
@bp.input(ExportQuery, location="query", arg_name="query")
@bp.doc(
    summary="The register (台账) as Excel: the issues I handle in a compound",
    responses={200: XLSX_RESPONSE, 403: "not a handler"},
)
def export_register(query):
    data = registers.export_xlsx(principal(), registers.RegisterQuery(**query))
    return xlsx_download(data, f"register-{query['compound']}-{query.get('category', 'all')}.xlsx")


@bp.get("/stats")
@bp.auth_required(auth)
@replica_reads
@bp.input(StatsQuery, location="query", arg_name="query")
@bp.output(StatsOut)
@bp.doc(summary="A month's figures: reported, closed, times, satisfaction (committee, supervisor)")
def stats(query):
    return registers.monthly_stats(principal(), query["compound"], query["month"])


@bp.get("/<int:issue_id>")
@bp.auth_required(auth)
@bp.output(IssueOut)
@bp.doc(summary="One issue with its timeline and the actions I may take")
def get_issue(issue_id):
    return json_response(issue_json(presenters.issue_detail(details.detail(principal(), issue_id))))


@bp.post("/<int:issue_id>/transitions")
@bp.auth_required(auth)
@bp.input(TransitionIn, arg_name="body")
@bp.output(IssueOut)
@bp.doc(
    summary="Accept, refer, resolve, confirm, reopen, reject or mark as duplicate",
    responses={
        400: "note_required, reason_required, referral_body_required, follow_up_required, "
        "duplicate_of_required, duplicate_of_invalid, photo_invalid or validation_error",
        403: "not yours to do",
        404: "not visible",
        409: "not from this status, or compound_archived",
    },
)
def transition(issue_id, body):
    return json_response(
        issue_json(presenters.issue_detail(reports.act(principal(), issue_id, Action(**body))))
    )


@bp.post("/<int:issue_id>/return-visit")
@bp.auth_required(auth)
@bp.input(ReturnVisitIn, arg_name="body")
@bp.output(ReturnVisitOut)
@bp.doc(
    summary='Answer "is it still fixed?" (no reopens the issue)',
    responses={403: "not asked of you", 409: "no visit waiting, or compound_archived"},
)
def answer_return_visit(issue_id, body):
    return return_visits.answer(principal(), issue_id, fixed=body["fixed"], note=body.get("note"))
