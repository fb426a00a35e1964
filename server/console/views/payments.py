"""收费与账目, money coming in: the register of payments (缴费记录, with the period's
Excel the API serves) and cash and transfers waiting for a second committee member
(待确认的现金: confirm, or reject with a reason). The two-person rule is the service's."""

from __future__ import annotations

from datetime import date

from flask import request, url_for

from server.api.downloads import xlsx_download
from server.api.schemas.money import RejectOfflineIn
from server.clock import SHANGHAI, utcnow
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.nav import MONEY_ROLES
from server.console.pages import act, back, compound_code, desk, render
from server.errors import ValidationFailed
from server.labels import label
from server.services.money import fees_export, payment_register
from server.services.money import offline_payments as cash
from server.services.money.periods import parse_month, period_label
from server.services.people import users

PAGE_SIZE = 50
FILTERS = ("kind", "status", "since", "until", "building", "month")


def _day(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期请按 2026-12-01 这样填写", code="bad_date") from None


def _building() -> int | None:
    value = (request.args.get("building") or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 4) or int(value) == 0:
        raise ValidationFailed("楼号请填数字，例如 3", code="bad_building")
    return int(value)


@bp.get("/payments")
def payments():
    """缴费记录: WeChat Pay orders or cash and transfers, newest first, with filters."""
    require(*MONEY_ROLES)
    kind = request.args.get("kind") or "wechat"
    # The paging links keep the filters only (a key such as `_scheme` means something
    # to url_for).
    args = {k: v for k in FILTERS if (v := request.args.get(k))}
    page, problem = None, None
    try:
        filters = payment_register.Filters(
            kind=kind,
            status=request.args.get("status") or None,
            since=_day("since"),
            until=_day("until"),
            building=_building(),
        )
        page = payment_register.payments(
            desk().principal, compound_code(), filters, request.args.get("cursor"), PAGE_SIZE
        )
    except ValidationFailed as error:
        problem = error.message
    statuses = payment_register.STATUSES.get(kind, ())
    status_labels = "payment_status" if kind == "wechat" else "offline_status"
    return render(
        "money/payments.html",
        title="缴费记录",
        nav="desk.payments",
        kind=kind if kind in payment_register.KINDS else "wechat",
        args=args,
        page=page,
        problem=problem,
        statuses=[(s, label(status_labels, s)) for s in statuses],
        next_url=url_for("desk.payments", **args, cursor=page.next_cursor)
        if page and page.next_cursor
        else None,
        first_url=url_for("desk.payments", **args) if request.args.get("cursor") else None,
        label=label,
        month=request.args.get("month") or f"{utcnow().astimezone(SHANGHAI):%Y-%m}",
        http_status=400 if problem else 200,
    )


@bp.get("/payments/export.xlsx")
def payments_export():
    """A month's bills and payments as Excel: the API's /fees/export.xlsx."""
    require(*MONEY_ROLES)
    month = (request.args.get("month") or "").strip()
    parse_month(month)  # ValidationFailed: the error page says what to type
    data = fees_export.export_xlsx(desk().principal, compound_code(), month)
    return xlsx_download(data, f"fees-{compound_code()}-{month}.xlsx")


@bp.get("/offline-payments")
def offline_payments():
    """待确认的现金: what liaisons and committee members recorded, for a second member."""
    require(*MONEY_ROLES)
    principal = desk().principal
    items = cash.pending_for(principal, compound_code(), "pending")
    compound_id = desk().compound.id
    bills = payment_register.offline_bills(compound_id, [p.id for p in items])
    names = users.names_in(compound_id, {p.recorded_by_id for p in items})
    rows = [
        {
            "payment": p,
            "flat": _flat(p),
            "bills": bills.get(p.id, []),
            "recorded_by": names.get(p.recorded_by_id, ""),
            "mine": p.recorded_by_id == principal.id,
        }
        for p in items
    ]
    return render(
        "money/offline_payments.html",
        title="待确认的现金",
        nav="desk.offline_payments",
        rows=rows,
        label=label,
        period_label=period_label,
        can_decide=desk().role in ("committee", "admin"),
    )


def _flat(payment) -> str:
    household = payment.household
    return f"{household.unit.building.number}-{household.unit.number}-{household.room}"


@bp.get("/offline-payments/<int:payment_id>")
def offline_payment(payment_id: int):
    """One offline payment: its bills, receipt photo and who recorded and decided it."""
    require(*MONEY_ROLES)
    view = payment_register.offline_payment(desk().principal, compound_code(), payment_id)
    return render(
        "money/offline_payment.html",
        title=f"线下缴费 {view.flat}",
        nav="desk.offline_payments",
        view=view,
        label=label,
        period_label=period_label,
        can_decide=desk().role in ("committee", "admin"),
    )


def _ours(payment_id: int) -> None:
    """The desk acts for the compound it signed in for: another compound's id is not
    found here, even for a member of both."""
    payment_register.offline_payment(desk().principal, compound_code(), payment_id)


def _to_waiting(_result=None):
    return back("desk.offline_payments")


@bp.post("/offline-payments/<int:payment_id>/confirm")
def offline_confirm(payment_id: int):
    require(*MONEY_ROLES)

    def work():
        _ours(payment_id)
        return cash.confirm(desk().principal, payment_id)

    return act(work, "已确认收款，账单已记为已缴，并已记入账本", then=_to_waiting)


@bp.post("/offline-payments/<int:payment_id>/reject")
def offline_reject(payment_id: int):
    require(*MONEY_ROLES)
    reason = (request.form.get("reason") or "").strip()

    def work():
        if not reason:
            raise ValidationFailed("请填写驳回理由", code="reason_required")
        if len(reason) > 200:
            raise ValidationFailed("驳回理由请不要超过 200 字", code="reason_too_long")
        # The API's own rules for text (no control characters, no direction overrides).
        cleaned = load(RejectOfflineIn, {"reason": reason}, {"reason": "驳回理由"})["reason"]
        _ours(payment_id)
        return cash.reject(desk().principal, payment_id, cleaned)

    return act(work, "已驳回，账单恢复为待缴", then=_to_waiting)
