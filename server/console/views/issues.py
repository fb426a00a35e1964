"""报事登记: the register of the compound's issues (filters, keyset pages, Excel), one
issue with its photos and timeline, and the actions the mini-program offers the same
person — each through the service GET/POST /api/v1/issues uses."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from flask import current_app, request, url_for
from marshmallow import ValidationError

from server.api import presenters
from server.api.downloads import xlsx_download
from server.api.schemas.issues import ReturnVisitIn, TransitionIn
from server.clock import SHANGHAI, utcnow
from server.console import forms
from server.console.blueprint import bp
from server.console.pages import act, desk, render
from server.errors import AppError, NotFound, ValidationFailed
from server.labels import GROUPS, label
from server.models.issue import CATEGORIES, STATUSES
from server.services.issues import detail as details
from server.services.issues import registers, reports, return_visits, views
from server.services.issues.access import get_visible
from server.services.issues.flow import Action
from server.services.issues.states import ACTIONS
from server.services.photos import uploads

PAGE_SIZE = 20
EARLIEST_DAY = date(2000, 1, 1)
# The register's filters as the page's GET form names them (the API's own names).
FILTERS = ("category", "status", "building_id", "overdue", "reported_from", "reported_to")


# What the page says once an action is done: "已受理", "已转办"… (the words are the
# actions' labels); confirming thanks the resident for the rating.
def _done(action: str) -> str:
    if action == "confirm":
        return "已确认完成，感谢评价"
    return "已" + label("issue_action", action)


# What the action forms' fields are called on the page (for a refusal's message).
FIELD_LABELS = {
    "note": "说明",
    "rating": "评分",
    "referral_body": "承办单位",
    "referral_contact": "联系人",
    "referral_ref": "对方编号",
    "follow_up_on": "跟进日期",
    "duplicate_of": "重复的事项编号",
    "photos": "照片",
}


# ----- the register -----


@bp.get("/issues")
def issues():
    args = {name: request.args.get(name, "").strip() for name in (*FILTERS, "cursor", "limit")}
    error, rows, next_cursor, handlers = None, [], None, {}
    try:
        filters, limit = _parse_filters(args), _parse_limit(args["limit"])
        found, next_cursor = views.list_issues(
            desk().principal,
            views.Filters(compound=desk().compound.code, **filters),
            cursor=args["cursor"] or None,
            limit=limit,
        )
        handlers = views.handler_names(found)
        rows = [_row(row, handlers) for row in found]
    except AppError as problem:
        error = problem.message
    kept = {name: args[name] for name in FILTERS if args[name]}
    if args["limit"] and error is None:
        kept["limit"] = args["limit"]
    return render(
        "issues/list.html",
        title="报事登记",
        nav="desk.issues",
        http_status=400 if error else 200,
        error=error,
        args=args,
        rows=rows,
        paged=bool(args["cursor"]),
        first_url=url_for("desk.issues", **kept),
        next_url=url_for("desk.issues", **kept, cursor=next_cursor) if next_cursor else None,
        export_url=url_for(
            "desk.issues_register", **{k: v for k, v in kept.items() if k != "limit"}
        ),
        categories=[(code, label("issue_category", code)) for code in CATEGORIES],
        statuses=[(code, label("issue_status", code)) for code in STATUSES],
        buildings=views.buildings(desk().principal, desk().compound.id),
    )


@bp.get("/issues/register.xlsx")
def issues_register():
    """The same register as Excel: the API's /register.xlsx service with the page's filters."""
    args = {name: request.args.get(name, "").strip() for name in FILTERS}
    filters = _parse_filters(args)  # a bad filter: the error page with its message
    query = registers.RegisterQuery(compound=desk().compound.code, sort="reported_desc", **filters)
    data = registers.export_xlsx(desk().principal, query)
    return xlsx_download(data, f"issues-register-{desk().compound.code}.xlsx")


def _row(row: views.IssueRow, handlers: dict[int, str]) -> dict:
    issue = row.issue
    return {
        **presenters.issue_item(row),
        "description": issue.description,
        "handler": handlers.get(issue.handler_id),
        "due": _due(issue),
    }


def _due(issue) -> object:
    """The deadline that counts now: to accept (待受理), to finish (处理中, 已转办)."""
    if issue.status == "submitted":
        return issue.response_due_at
    if issue.status in ("accepted", "referred"):
        return issue.resolution_due_at
    return None


def _parse_filters(args: dict[str, str]) -> dict:
    """The register's filters from the page's form; ValidationFailed says what is wrong."""
    filters: dict = {}
    if args["category"]:
        if args["category"] not in CATEGORIES:
            raise ValidationFailed("没有这个报事类别，请从列表中选择")
        filters["category"] = args["category"]
    if args["status"]:
        if args["status"] not in STATUSES:
            raise ValidationFailed("没有这个处理状态，请从列表中选择")
        filters["status"] = args["status"]
    if args["building_id"]:
        filters["building_id"] = _number(args["building_id"], "楼栋")
    if args["overdue"]:
        if args["overdue"] not in ("1", "true"):
            raise ValidationFailed("「只看超期」的值不对")
        filters["overdue"] = True
    for name, what in (("reported_from", "报事日期从"), ("reported_to", "报事日期到")):
        if args[name]:
            filters[name] = _day(args[name], what)
    start, end = filters.get("reported_from"), filters.get("reported_to")
    if start and end and start > end:
        raise ValidationFailed("「报事日期从」不能晚于「报事日期到」")
    return filters


def _day(text: str, what: str) -> date:
    """A day as the date input sends it (2026-12-01), read as a day in Shanghai."""
    latest = utcnow().astimezone(SHANGHAI).date() + timedelta(days=366)
    try:
        day = date.fromisoformat(unicodedata.normalize("NFKC", text))
    except ValueError:
        raise ValidationFailed(f"「{what}」应为日期，如 2026-12-01") from None
    if not EARLIEST_DAY <= day <= latest:
        raise ValidationFailed(f"「{what}」应在 {EARLIEST_DAY} 到 {latest} 之间")
    return day


def _number(text: str, what: str) -> int:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not 0 < int(text) < 2**63:
        raise ValidationFailed(f"「{what}」的值不对")
    return int(text)


def _parse_limit(text: str) -> int:
    if not text:
        return PAGE_SIZE
    number = _number(text, "每页条数")
    if number > views.PAGE_MAX:
        raise ValidationFailed(f"每页最多 {views.PAGE_MAX} 条")
    return number


# ----- one issue -----


@bp.get("/issues/<int:issue_id>")
def issue_detail(issue_id: int):
    detail = details.detail(desk().principal, issue_id)
    if detail.issue.compound_id != desk().compound.id:
        raise NotFound("找不到该事项", code="issue_not_found")
    issue = presenters.issue_detail(detail)
    return render(
        "issues/detail.html",
        title=f"报事 #{issue['id']}",
        nav="desk.issues",
        issue=issue,
        handler=views.handler_names([detail]).get(detail.issue.handler_id),
        actions=[(a, label("issue_action", a)) for a in issue["actions"]],
        today=utcnow().astimezone(SHANGHAI).date().isoformat(),
        role_label=lambda code: GROUPS["role"].get(code, ""),
        status_label=lambda code: label("issue_status", code),
        track_label=lambda code: label("issue_track", code),
    )


def _ours(issue_id: int) -> None:
    """The issue is one the caller may see, in the compound the desk is signed in for."""
    if get_visible(desk().principal, issue_id).compound_id != desk().compound.id:
        raise NotFound("找不到该事项", code="issue_not_found")


def _transition(action: str):
    def view(issue_id: int):
        def work():
            _ours(issue_id)
            body = _action_body(action)
            if action == "resolve":
                body["photos"] = _uploaded_photos()
            return reports.act(desk().principal, issue_id, Action(**body))

        return act(work, _done(action))

    view.__name__ = f"issue_{action}"
    return view


for _action in ACTIONS:
    bp.post(f"/issues/<int:issue_id>/{_action.replace('_', '-')}", endpoint=f"issue_{_action}")(
        _transition(_action)
    )


def _action_body(action: str) -> dict:
    """The action form parsed as the API parses POST /transitions (TransitionIn)."""
    form = request.form
    raw: dict = {"action": action}
    for name in ("note", "referral_body", "referral_contact", "referral_ref", "follow_up_on"):
        value = form.get(name, "").strip()
        if value:
            raw[name] = value
    for name in ("rating", "duplicate_of"):
        value = unicodedata.normalize("NFKC", form.get(name, "")).strip().lstrip("#")
        if value:
            short = value.isascii() and value.isdigit() and len(value) <= 19  # int() refuses 5000
            raw[name] = int(value) if short else value
    try:
        return TransitionIn().load(raw)
    except ValidationError as error:
        raise ValidationFailed(_message(error)) from None


def _message(error: ValidationError) -> str:
    """A form's problems in words: 「承办单位」最多 60 个字."""
    return forms.message(error.messages, FIELD_LABELS)


def _uploaded_photos() -> list[int]:
    """The photos of the form (optional), stored by the service /api/v1/uploads uses."""
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) > 9:
        raise ValidationFailed("最多上传 9 张照片")
    limit = current_app.config["UPLOAD_MAX_BYTES"] + 1
    return [
        uploads.save_upload(desk().principal, f.stream.read(limit), f.mimetype or None).id
        for f in files
    ]


@bp.post("/issues/<int:issue_id>/return-visit")
def issue_return_visit(issue_id: int):
    """Answer "is it still fixed?" as the mini-program's 回访 card does."""

    def work():
        _ours(issue_id)
        raw = {"fixed": request.form.get("fixed") == "yes"}
        if request.form.get("note", "").strip():
            raw["note"] = request.form["note"].strip()
        try:
            body = ReturnVisitIn().load(raw)
        except ValidationError as error:
            raise ValidationFailed(_message(error)) from None
        return return_visits.answer(
            desk().principal, issue_id, fixed=body["fixed"], note=body.get("note")
        )

    return act(work, "已记录回访答复")
