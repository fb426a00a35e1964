"""收费与账目, money going back through WeChat Pay: 退款记录 (every refund with who proposed
and confirmed it and when), the refund form of a paid WeChat payment (from 缴费记录)
and of an anomaly's money owed back (from 异常与退款), and a second committee member's
confirm or reject. The services are the API's (services/money/refunds.py; confirming
is pending_changes', which sends the refund once the request is answered): one
member proposes, another confirms, WeChat Pay sends the money back."""

from __future__ import annotations

from flask import redirect, request, url_for

from server.api.schemas.approvals import RejectChangeIn
from server.api.schemas.refunds import RefundIn
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.money_forms import fen_from_yuan, optional_id
from server.console.nav import MONEY_ROLES
from server.console.pages import act, back, choices, compound_code, desk, render
from server.errors import AppError, NotFound, ValidationFailed
from server.labels import label
from server.models.payments import REFUND_IN_FLIGHT, REFUND_STATUSES
from server.services.money import approvals, pending_changes, refund_reads
from server.services.money import refunds as refund_service

KIND = "wechat_refund"
LABELS = {"amount_fen": "退款金额", "reason": "退款理由", "payment_id": "订单"}
# Sent to WeChat Pay or about to be: what an anomaly's money owed back waits on.
IN_FLIGHT = REFUND_IN_FLIGHT
PROPOSED = "已提交，等待另一位业委会成员确认。确认后钱会通过微信支付原路退回。"


def _waiting_mine() -> dict[int, bool]:
    """The wechat_refund proposals waiting for a decision: {approval id: proposed by the
    person at the desk} (their own ones get no buttons: the two-person rule)."""
    try:
        views = approvals.pending_for(desk().principal, compound_code(), kinds=(KIND,))
    except AppError:  # the supervisor reads refunds, but no proposals
        return {}
    return {view.approval.id: view.mine for view in views}


@bp.get("/refunds")
def refunds():
    """退款记录: the compound's refunds through WeChat Pay, newest first, by status."""
    require(*MONEY_ROLES)
    status = request.args.get("status") or None
    if status not in REFUND_STATUSES:
        status = None
    items = refund_reads.refunds_for(desk().principal, compound_code(), status=status)
    return render(
        "money/refunds.html",
        title="退款记录",
        nav="desk.refunds",
        items=items,
        status=status,
        statuses=choices("refund_status", REFUND_STATUSES),
        waiting=_waiting_mine(),
        can_decide=desk().role in ("committee", "admin"),
        label=label,
    )


@bp.get("/payments/<int:payment_id>/refund")
def refund_new(payment_id: int):
    """The refund form of one paid WeChat payment: what it took, what is refunded or in
    flight, what may still go back."""
    require(*MONEY_ROLES)
    payment = refund_reads.refundable(desk().principal, compound_code(), payment_id)
    earlier = refund_reads.refunds_for(desk().principal, compound_code(), payment_id=payment_id)
    return render(
        "money/refund_new.html",
        title=f"退款 {payment['household']}",
        nav="desk.payments",
        payment=payment,
        earlier=earlier,
        can_decide=desk().role in ("committee", "admin"),
        label=label,
    )


@bp.post("/refunds")
def refund_propose():
    """One committee member proposes a refund (of a payment, or of an anomaly's money
    owed back): it waits for a second one."""
    require(*MONEY_ROLES)

    def work():
        amount = fen_from_yuan(request.form.get("amount_yuan"), "退款金额")
        reason = (request.form.get("reason") or "").strip()
        if not reason:
            raise ValidationFailed("请填写退款理由", code="reason_required")
        data = {
            "payment_id": optional_id(request.form.get("payment_id")),
            "amount_fen": amount,
            "reason": reason,
            "anomaly_id": optional_id(request.form.get("anomaly_id")),
        }
        if data["payment_id"] is None:
            raise ValidationFailed("找不到要退款的订单，请刷新页面", code="payment_not_found")
        body = load(RefundIn, data, LABELS)
        return refund_service.propose(
            desk().principal,
            compound_code(),
            body["payment_id"],
            body["amount_fen"],
            body["reason"],
            body["anomaly_id"],
        )

    return act(work, PROPOSED, then=_to_list)


def _to_list(_result=None):
    """After a proposal from a payment's form: the refunds; from an anomaly: its page."""
    if request.form.get("anomaly_id"):
        return back("desk.anomalies")
    return redirect(url_for("desk.refunds"))


def _ours(change_id: int) -> None:
    """Only a wechat_refund proposal of the compound the desk is signed in for is
    decided here (pending_changes decides every kind)."""
    if change_id not in _waiting_mine():
        raise NotFound("找不到这笔待确认的退款，请刷新页面", code="refund_not_found")


@bp.post("/refunds/changes/<int:change_id>/confirm")
def refund_change_confirm(change_id: int):
    require(*MONEY_ROLES)

    def work():
        _ours(change_id)
        return pending_changes.confirm(desk().principal, compound_code(), change_id)

    # The confirmation sends the refund once the answer (this redirect) is made
    # (refunds.confirm); on any failure the job sends it within a minute.
    return act(
        work,
        "已确认，正在通过微信支付原路退回，结果见退款记录",
        then=lambda _view: back("desk.refunds"),
    )


@bp.post("/refunds/changes/<int:change_id>/reject")
def refund_change_reject(change_id: int):
    require(*MONEY_ROLES)
    reason = (request.form.get("reason") or "").strip()

    def work():
        if not reason:
            raise ValidationFailed("请填写驳回理由", code="reason_required")
        cleaned = load(RejectChangeIn, {"reason": reason}, {"reason": "驳回理由"})["reason"]
        _ours(change_id)
        return pending_changes.reject(desk().principal, compound_code(), change_id, cleaned)

    return act(work, "已驳回这笔退款，钱不会退出", then=lambda _r: back("desk.refunds"))


@bp.app_template_global()
def anomaly_wechat_refunds() -> dict[int, list[dict]]:
    """异常与退款's refund part: each anomaly's refunds through WeChat Pay still in
    flight (the page offers only what is left beyond them). Empty for a role that may
    not read refunds."""
    try:
        items = refund_reads.refunds_for(desk().principal, compound_code())
    except AppError:
        return {}
    found: dict[int, list[dict]] = {}
    for item in items:
        if item["anomaly_id"] and item["status"] in IN_FLIGHT:
            shown = {**item, "status_label": label("refund_status", item["status"])}
            found.setdefault(item["anomaly_id"], []).append(shown)
    return found


@bp.app_template_global()
def refund_payer(payment_id: int) -> str:
    """Whom an anomaly's refund goes back to, as the dialog names them ("1-1-101"); a
    plain word when the payment cannot be read."""
    try:
        household = refund_reads.refundable(desk().principal, compound_code(), payment_id)[
            "household"
        ]
    except AppError:
        household = ""
    return household or "付款的住户"
