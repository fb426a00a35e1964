"""操作记录 (the compound's audit log: appointments, invites, terms, handovers, roster
imports, desk sign-ins) and 查阅记录 (who read whose personal data, and its Excel),
newest first, a page at a time. The API's own services (server/api/people.py
/audit-log, server/api/privacy.py /access-log); both reads are themselves logged."""

from __future__ import annotations

from flask import request, url_for

from server.api.downloads import xlsx_download
from server.api.schemas.privacy import AccessLogExportQuery
from server.console.blueprint import bp
from server.console.compound_forms import load
from server.console.pages import compound_code, desk, render
from server.errors import NotFound, ValidationFailed
from server.labels import label
from server.models.governance import AUDIT_ACTIONS
from server.services.governance import audit_log
from server.services.people import compounds
from server.services.privacy import access_log as access_service

PAGE = 30
# What an access-log line was about, in words (the log stores a code).
SUBJECTS = {
    "role_holder": "人员名单",
    "audit_event": "操作记录",
    "access_log": "查阅记录",
    "approval": "待确认事项",
    "handover": "交接记录",
    "user": "交接候选人",
    "volunteer_reach": "通知送达情况",
    "offline_payment": "现金缴费登记",
    "issue_reporter": "报事人",
    "announcement_unread": "公告未读名单",
    "proposal": "议题表决",
    "binding_request": "绑定申请",
    "household": "住户登记",
    "household_member": "住户成员",
    "care_tag": "关爱标记",
    "care_visit": "走访记录",
}
DAY_LABELS = {"from": "开始日期", "to": "结束日期"}


def _cursor() -> str | None:
    return (request.args.get("cursor") or "")[:40] or None


@bp.get("/audit")
def audit():
    action = request.args.get("action") or None
    error, page = None, None
    try:
        page = audit_log.read(desk().principal, compound_code(), _cursor(), PAGE, action=action)
    except ValidationFailed as refused:
        error = refused.message
    return render(
        "compound/audit.html",
        title="操作记录",
        nav="desk.audit",
        items=page.items if page else [],
        error=error,
        action=action,
        actions=[(a, label("audit_action", a)) for a in AUDIT_ACTIONS],
        next_url=url_for("desk.audit", action=action, cursor=page.next_cursor)
        if page and page.next_cursor
        else None,
        first_url=url_for("desk.audit", action=action) if _cursor() else None,
    )


def _log_filter() -> tuple[access_service.LogFilter, dict]:
    """The access log's filters from the query (days and a flat "1-2-301"), and the
    same as typed, for the form and the links. Raises ValidationFailed."""
    typed = {k: (request.args.get(k) or "").strip() for k in ("from", "to", "household")}
    days = load(AccessLogExportQuery, {"from": typed["from"], "to": typed["to"]}, DAY_LABELS)
    household_id = None
    if typed["household"]:
        where = compounds.parse_household_path(typed["household"])
        try:
            household_id = compounds.find_household(desk().compound, *where).id
        except NotFound as missing:
            raise ValidationFailed(missing.message) from None
    found = access_service.LogFilter(days.get("start"), days.get("end"), household_id)
    return found, {k: v for k, v in typed.items() if v}


@bp.get("/access-log")
def access_log():
    error, page, typed = None, None, {}
    try:
        filters, typed = _log_filter()
        page = access_service.read(desk().principal, compound_code(), filters, _cursor(), PAGE)
    except ValidationFailed as refused:
        error = refused.message
        typed = {k: request.args.get(k, "") for k in ("from", "to", "household")}
    return render(
        "compound/access_log.html",
        title="查阅记录",
        nav="desk.access_log",
        items=page.items if page else [],
        error=error,
        typed=typed,
        subject=lambda code: SUBJECTS.get(code, "其他"),
        export_url=url_for("desk.access_log_export", **typed) if not error else None,
        next_url=url_for("desk.access_log", cursor=page.next_cursor, **typed)
        if page and page.next_cursor
        else None,
        first_url=url_for("desk.access_log", **typed) if _cursor() else None,
    )


@bp.get("/access-log/export.xlsx")
def access_log_export():
    filters, _ = _log_filter()
    data = access_service.export_xlsx(desk().principal, compound_code(), filters)
    return xlsx_download(data, f"查阅记录-{desk().compound.name}.xlsx")
