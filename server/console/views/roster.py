"""房屋名册: the compound at a glance, the template, loading a roster file (checked first:
the dry run's report; then 确认导入 loads the same file) and the flats' area/vacancy
changes waiting for a second committee member. The API's own services
(server/api/roster.py, pending_changes.py).

Between the check and 确认导入 the file waits in the app's storage (as photos do) under
a random key the browser's signed desk cookie names, with the desk session and compound
it was checked for; the import parses it afresh (the service trusts no earlier check)."""

from __future__ import annotations

import contextlib

from flask import flash, redirect, request, session, url_for

from server.api.downloads import xlsx_download
from server.api.schemas.approvals import RejectChangeIn
from server.console.blueprint import bp
from server.console.compound_forms import load, optional
from server.console.pages import act, compound_code, desk, render
from server.errors import AppError
from server.labels import label
from server.services.governance import overview as overviews
from server.services.governance import roster as roster_service
from server.services.governance import roster_files
from server.services.governance.roster_plan import describe
from server.services.governance.roster_template import template
from server.services.money import pending_changes
from server.storage import get_storage
from server.storage.keys import roster_draft_key

DRAFT = "roster_draft"  # the Flask session's key for the file waiting for 确认导入
SHOWN = 300  # rows of a report's lists shown on the page (the counts say the rest)


def _roster_changes():
    changes = optional(lambda: pending_changes.listed(desk().principal, compound_code()))
    return [c for c in changes or [] if c.approval.kind == "roster_change"]


@bp.get("/roster")
def roster():
    at_glance = overviews.overview(desk().principal, compound_code())
    return render(
        "compound/roster.html",
        title="房屋名册",
        nav="desk.roster",
        overview=at_glance,
        changes=_roster_changes(),
        can_load=desk().role in ("committee", "admin"),
        describe=describe,
        max_mb=roster_files.MAX_BYTES // (1024 * 1024),
    )


@bp.get("/roster/template.xlsx")
def roster_template():
    data, filename = template(desk().principal, compound_code())
    return xlsx_download(data, filename)


# ----- checking a file, then loading it -----


@bp.post("/roster/check")
def roster_check():
    file = request.files.get("file")
    data = file.stream.read(roster_files.MAX_BYTES + 1) if file and file.filename else None
    name = (file.filename or "")[:200] if file else ""
    try:
        roster_service.import_roster(desk().principal, compound_code(), data, name, dry_run=True)
    except AppError as error:
        flash(error.message, "error")
        return redirect(url_for("desk.roster"))
    _forget_draft()
    kind = "xlsx" if data[:4] == b"PK\x03\x04" else "csv"
    key = roster_draft_key(kind)
    get_storage().put(key, data, "application/octet-stream")
    session[DRAFT] = {
        "key": key,
        "name": name,
        "compound": desk().compound_id,
        "desk": desk().session.id,
    }
    return redirect(url_for("desk.roster_report"))


def _draft() -> dict | None:
    """The file this browser checked for this compound in this desk session, if any."""
    draft = session.get(DRAFT)
    if (
        not isinstance(draft, dict)
        or draft.get("compound") != desk().compound_id
        or draft.get("desk") != desk().session.id
    ):
        return None
    return draft


def _draft_bytes(draft: dict) -> bytes | None:
    try:
        return get_storage().get(draft["key"])
    except (KeyError, ValueError):
        return None


def _forget_draft() -> None:
    draft = session.pop(DRAFT, None)
    if isinstance(draft, dict) and isinstance(draft.get("key"), str):
        with contextlib.suppress(ValueError):
            get_storage().delete(draft["key"])


@bp.get("/roster/report")
def roster_report():
    """The checked file's report, computed afresh (the roster may have changed since)."""
    draft = _draft()
    data = _draft_bytes(draft) if draft else None
    if data is None:
        flash("请先选择名册文件并检查", "error")
        return redirect(url_for("desk.roster"))
    principal, name = desk().principal, draft["name"]
    report = roster_service.import_roster(principal, compound_code(), data, name, dry_run=True)
    return render(
        "compound/roster_report.html",
        title="名册检查结果",
        nav="desk.roster",
        report=report,
        filename=draft["name"],
        draft=draft["key"].rsplit("/", 1)[-1],
        shown=SHOWN,
        occupancy=lambda v: label("occupancy", v, "—"),
        tenure=lambda v: label("tenure", v, "—"),
    )


@bp.post("/roster/import")
def roster_import():
    draft = _draft()
    data = _draft_bytes(draft) if draft else None
    if data is None or request.form.get("draft") != draft["key"].rsplit("/", 1)[-1]:
        flash("这份检查结果已过期，请重新选择文件检查", "error")
        return redirect(url_for("desk.roster"))
    try:
        result = roster_service.import_roster(
            desk().principal, compound_code(), data, draft["name"], dry_run=False
        )
    except AppError as error:  # roster_invalid: the roster changed since; its new report
        flash(error.message, "error")
        return redirect(url_for("desk.roster_report"))
    _forget_draft()
    flash(_loaded(result), "success")
    return redirect(url_for("desk.roster"))


def _loaded(result: dict) -> str:
    flats = result["households"]
    text = (
        f"已导入名册：新建 {result['buildings']['create']} 栋楼、{result['units']['create']} 个"
        f"单元、{flats['create']} 户，更新 {flats['update']} 户，未变 {flats['unchanged']} 户"
    )
    if result.get("approval_id"):
        text += f"。其中 {result['pending']} 户的面积或空置变更，要另一位委员确认后才生效"
    return text


@bp.post("/roster/cancel")
def roster_cancel():
    _forget_draft()
    return redirect(url_for("desk.roster"))


# ----- area/vacancy changes waiting for a second committee member -----


@bp.post("/roster/changes/<int:change_id>/confirm")
def roster_change_confirm(change_id: int):
    return act(
        lambda: pending_changes.confirm(desk().principal, compound_code(), change_id),
        "已确认，房屋面积/空置变更已生效",
    )


@bp.post("/roster/changes/<int:change_id>/reject")
def roster_change_reject(change_id: int):
    return act(
        lambda: pending_changes.reject(
            desk().principal,
            compound_code(),
            change_id,
            load(RejectChangeIn, {"reason": request.form.get("reason")}, {"reason": "驳回理由"})[
                "reason"
            ],
        ),
        "已驳回，房屋信息保持不变",
    )
