"""月度公示: a month's money frozen from the ledger by a committee member, signed off (or
objected to) by the finance supervisor, published by the committee; its figures and
the same printable PDF as the API's. Every read and write is the API's own service
(server/api/disclosures.py)."""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from server.api.schemas.disclosures import DisclosureCreateIn, DisclosureObjectIn
from server.clock import SHANGHAI, utcnow
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.nav import MONEY_ROLES
from server.console.pages import act, desk, render
from server.errors import NotFound
from server.labels import label
from server.services.disclosures import decisions, freeze, views

LABELS = {"month": "月份", "changes": "更正说明", "reason": "异议理由"}


def _ours(disclosure_id: int) -> None:
    """The disclosure is the desk compound's (else the 404 any unknown id gets)."""
    if decisions.readable(desk().principal, disclosure_id).compound_id != desk().compound.id:
        raise NotFound("找不到该公示", code="disclosure_not_found")


def _last_month() -> str:
    today = utcnow().astimezone(SHANGHAI).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def _status_name(status: str) -> str:
    return label("disclosure_status", status, status)


def _to_detail(disclosure):
    return redirect(url_for("desk.disclosure", disclosure_id=disclosure.id))


@bp.get("/disclosures")
def disclosures():
    require(*MONEY_ROLES)
    items = views.listing(desk().principal, desk().compound.code)
    return render(
        "disclosures/list.html",
        title="月度公示",
        nav="desk.disclosures",
        items=items,
        last_month=_last_month(),
        status_name=_status_name,
    )


@bp.post("/disclosures")
def disclosure_new():
    require("committee")

    def prepare():
        body = load(DisclosureCreateIn, {"month": request.form.get("month", "").strip()}, LABELS)
        return freeze.create(desk().principal, desk().compound.code, body["month"])

    return act(prepare, "已生成公示草稿，等财务监督审核", then=_to_detail)


@bp.get("/disclosures/<int:disclosure_id>")
def disclosure(disclosure_id: int):
    require(*MONEY_ROLES)
    shown = views.detail(desk().principal, disclosure_id)
    if shown["compound"] != desk().compound.code:
        raise NotFound("找不到该公示", code="disclosure_not_found")
    return render(
        "disclosures/detail.html",
        title=shown["title"],
        nav="desk.disclosures",
        d=shown,
        status_name=_status_name,
    )


@bp.get("/disclosures/<int:disclosure_id>.pdf")
def disclosure_pdf(disclosure_id: int):
    """The same PDF, under the same name, as GET /api/v1/disclosures/<id>.pdf."""
    require(*MONEY_ROLES)
    _ours(disclosure_id)
    data, filename = views.paper(desk().principal, disclosure_id)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _step(disclosure_id: int, work, done: str):
    def run():
        _ours(disclosure_id)
        return work()

    return act(run, done)


@bp.post("/disclosures/<int:disclosure_id>/sign-off")
def disclosure_sign_off(disclosure_id: int):
    return _step(
        disclosure_id,
        lambda: decisions.sign_off(desk().principal, disclosure_id),
        "已审核通过，业委会可以公示了",
    )


@bp.post("/disclosures/<int:disclosure_id>/object")
def disclosure_object(disclosure_id: int):
    data = {"reason": request.form.get("reason", "")}
    return _step(
        disclosure_id,
        lambda: decisions.object_to(
            desk().principal, disclosure_id, load(DisclosureObjectIn, data, LABELS)["reason"]
        ),
        "已提出异议，业委会将更正",
    )


@bp.post("/disclosures/<int:disclosure_id>/publish")
def disclosure_publish(disclosure_id: int):
    return _step(
        disclosure_id,
        lambda: decisions.publish(desk().principal, disclosure_id),
        "已公示，每户都能看到",
    )


@bp.post("/disclosures/<int:disclosure_id>/correct")
def disclosure_correct(disclosure_id: int):
    def correct():
        _ours(disclosure_id)
        month = decisions.readable(desk().principal, disclosure_id).month
        data = {"month": month, "changes": request.form.get("changes", "")}
        body = load(DisclosureCreateIn, data, LABELS)
        return freeze.create(
            desk().principal, desk().compound.code, month, disclosure_id, body.get("changes")
        )

    return act(correct, "已生成更正版，等财务监督审核", then=_to_detail)
