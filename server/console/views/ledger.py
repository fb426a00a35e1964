"""收费与账目, checking the money: payment anomalies and their refunds (recorded by one
committee member, confirmed by a second: the services' rule), the daily reconciliation
with WeChat Pay, and the ledger with its balances and 核验账本 (the hash chain)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from flask import flash, request, url_for

from server.api.schemas.approvals import RejectChangeIn
from server.api.schemas.ledger import AnomalyResolveIn
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.money_forms import GROUPED
from server.console.nav import MONEY_ROLES
from server.console.pages import act, back, compound_code, desk, render
from server.errors import ValidationFailed
from server.labels import label
from server.services import cursors
from server.services.money import anomalies as anomaly_service
from server.services.money import funds, ledger_alerts, pending_changes
from server.services.money import ledger as ledger_service
from server.services.money import reconciliation as reports

PAGE_SIZE = 50
LABELS = {"resolution": "处理说明", "refunded_fen": "退款金额", "reason": "驳回理由"}


def _fen(text: str | None) -> int:
    """ "12.5" (yuan, as typed) → 1250 fen; empty → 0."""
    text = unicodedata.normalize("NFKC", text or "").strip()  # "，" typed full-width is ","
    if not text:
        return 0
    if "," in text and not GROUPED.fullmatch(text):  # "25,33" may be a decimal comma
        raise ValidationFailed("退款金额请不要用逗号表示小数点，如 25.33", code="bad_amount")
    text = text.replace(",", "")
    try:
        value = Decimal(text)
        # NaN and Infinity are Decimals too; quantize refuses a number of 29 digits.
        exact = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationFailed("退款金额请填数字，例如 25.33", code="bad_amount") from None
    if not exact or value < 0 or value > 10_000_000:
        raise ValidationFailed("退款金额请填数字，最多两位小数", code="bad_amount")
    return int(value * 100)


# Amounts an anomaly's details may hold, in the order a sentence names them
# (the statement's and refunds' ones since issue 15: 金额, 对账单, 退款).
AMOUNTS = (
    ("expected", "应收"),
    ("received", "实收"),
    ("notified", "实收"),
    ("amount_fen", "金额"),
    ("statement_fen", "对账单"),
    ("refund_fen", "退款"),
    ("refund_due_fen", "应退"),
)


def _describe(anomaly) -> str:
    """The anomaly's details in a sentence: whose, which order, which statement day,
    what amounts; a statement line no payment of ours matches says the server's advice."""
    d = anomaly.details or {}
    if d.get("advice"):
        return str(d["advice"])
    parts = []
    if d.get("household"):
        parts.append(f"房屋 {d['household']}")
    if d.get("period"):
        parts.append(f"账期 {d['period']}")
    if d.get("out_trade_no"):
        parts.append(f"订单 {d['out_trade_no']}")
    if d.get("day"):
        parts.append(f"对账单日期 {d['day']}")
    named = set()
    for key, word in AMOUNTS:
        value = d.get(key)
        # Nothing owed back is no news; any other amount is, even 0.00 元 received.
        if isinstance(value, int) and (value or key != "refund_due_fen") and word not in named:
            named.add(word)
            parts.append(f"{word} {value / 100:,.2f} 元")
    return "，".join(parts) or "—"


@bp.get("/anomalies")
def anomalies():
    """异常与退款: what went wrong with money, unresolved first."""
    require(*MONEY_ROLES)
    open_only = request.args.get("open") == "1"
    items = anomaly_service.anomalies_for(desk().principal, compound_code(), open_only=open_only)
    rows = [
        {
            "anomaly": a,
            "kind": label("anomaly_kind", a.kind),
            "what": _describe(a),
            "left_fen": anomaly_service.refund_left(a),
            "waiting": a.pending_refund,
        }
        for a in items
    ]
    return render(
        "money/anomalies.html",
        title="异常与退款",
        nav="desk.anomalies",
        rows=rows,
        open_only=open_only,
        can_decide=desk().role in ("committee", "admin"),
    )


@bp.post("/anomalies/<int:anomaly_id>/resolve")
def anomaly_resolve(anomaly_id: int):
    """A note (nothing owed back), or a refund made, which waits for a second member."""
    require(*MONEY_ROLES)
    note = (request.form.get("resolution") or "").strip()

    def work():
        if not note:
            raise ValidationFailed("请填写处理说明", code="resolution_required")
        if len(note) > 200:
            raise ValidationFailed("处理说明请不要超过 200 字", code="resolution_too_long")
        refund = _fen(request.form.get("refunded_yuan"))
        # The API's own rules for text (no control characters, no direction overrides).
        body = load(AnomalyResolveIn, {"resolution": note, "refunded_fen": refund}, LABELS)
        return anomaly_service.resolve(
            desk().principal, compound_code(), anomaly_id, body["resolution"], body["refunded_fen"]
        )[1]

    def then(waiting):
        if waiting:
            flash("这笔退款须由另一位业委会成员确认后才记入账本", "success")
        return back("desk.anomalies")

    return act(work, "已登记", then=then)


def _refund_change(change_id: int) -> None:
    """Only a refund waiting on an anomaly of this compound is decided here."""
    for anomaly in anomaly_service.anomalies_for(desk().principal, compound_code(), open_only=True):
        if anomaly.pending_refund and anomaly.pending_refund.approval.id == change_id:
            return
    raise ValidationFailed("找不到这笔待确认的退款，请刷新页面", code="refund_not_found")


def _to_anomalies(_result=None):
    return back("desk.anomalies")


@bp.post("/anomalies/refunds/<int:change_id>/confirm")
def refund_confirm(change_id: int):
    require(*MONEY_ROLES)

    def work():
        _refund_change(change_id)
        return pending_changes.confirm(desk().principal, compound_code(), change_id)

    return act(work, "已确认退款，已记入账本", then=_to_anomalies)


@bp.post("/anomalies/refunds/<int:change_id>/reject")
def refund_reject(change_id: int):
    require(*MONEY_ROLES)
    reason = (request.form.get("reason") or "").strip()

    def work():
        if not reason:
            raise ValidationFailed("请填写驳回理由", code="reason_required")
        cleaned = load(RejectChangeIn, {"reason": reason}, LABELS)["reason"]
        _refund_change(change_id)
        return pending_changes.reject(desk().principal, compound_code(), change_id, cleaned)

    return act(work, "已驳回这笔退款", then=_to_anomalies)


@bp.get("/reconciliation")
def reconciliation():
    """每日对账: each day's orders compared with WeChat Pay, newest first."""
    require(*MONEY_ROLES)
    items = reports.reports_for(desk().principal, compound_code())
    rows = [
        {
            "report": r,
            "summary": r.summary or {},
            "differences": r.differences.split("\n") if r.differences else [],
            "statement": (r.summary or {}).get("statement"),
        }
        for r in items
    ]
    states = {
        "compared": "已核对",
        "not_ready": "对账单尚未生成",
        "unreadable": "对账单无法读取",
        "unavailable": "暂时连不上微信支付",
    }
    return render(
        "money/reconciliation.html",
        title="每日对账",
        nav="desk.reconciliation",
        rows=rows,
        statement_states=states,
    )


def _account_names() -> dict[str, str]:
    return funds.names(desk().compound.id)


@bp.get("/ledger")
def ledger():
    """账本: every money movement, newest first, with each account's balance."""
    require(*MONEY_ROLES)
    account = request.args.get("account") or None
    cursor = request.args.get("cursor")
    try:
        before = cursors.decode(cursor)
    except ValidationFailed:
        before, cursor = None, None
    page = ledger_service.page(desk().principal, compound_code(), before, PAGE_SIZE + 1, account)
    items, more = page.items[:PAGE_SIZE], len(page.items) > PAGE_SIZE
    args = {"account": account} if account else {}
    names = _account_names()
    return render(
        "money/ledger.html",
        title="账本",
        nav="desk.ledger",
        items=items,
        balances=sorted(page.balance_fen.items(), key=lambda kv: (kv[0] not in names, kv[0])),
        names=names,
        verified=page.verified,
        check=page.verification,
        account=account,
        next_url=url_for("desk.ledger", **args, cursor=cursors.encode(items[-1].seq))
        if more
        else None,
        first_url=url_for("desk.ledger", **args) if cursor else None,
        verification=None,
    )


@bp.get("/ledger/verify")
def ledger_verify():
    """核验账本: recompute the entries since the last verified checkpoint now (?full=1:
    every entry from the first) and say where the chain breaks."""
    require(*MONEY_ROLES)
    full = request.args.get("full") == "1"
    result = ledger_service.verify_for(desk().principal, compound_code(), full=full)
    problem = None
    if not result.ok:
        problem = ledger_alerts.in_words(result.problem)
    return render(
        "money/ledger_verify.html",
        title="核验账本",
        nav="desk.ledger",
        result=result,
        problem=problem,
    )
