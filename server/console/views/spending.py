"""支出 and the funds: what the compound spends, proposed by a committee member, approved
or objected to by the finance supervisor, confirmed by a second member when large, paid
by another member into the ledger. Every read and write is the API's own service
(server/api/expenses.py)."""

from __future__ import annotations

from flask import request, url_for

from server.api.schemas.spending import ExpenseChangeIn, ExpenseIn, NoteIn, PayIn, ReasonIn
from server.console.auth import require
from server.console.blueprint import bp
from server.console.forms import load
from server.console.money_forms import fen_from_yuan, optional_id, photo
from server.console.nav import MONEY_ROLES
from server.console.pages import act, choices, compound_code, desk, render
from server.errors import AppError, NotFound
from server.models.spending import EXPENSE_CATEGORIES, EXPENSE_STATUSES, PAY_METHODS
from server.services.spending import decisions, payments, proposals, views

EXPENSE_LABELS = {
    "fund": "资金",
    "amount_fen": "金额",
    "purpose": "用途",
    "payee": "收款人",
    "category": "类别",
    "receipts": "票据照片",
    "issue_id": "报事编号",
}
STEP_LABELS = {"note": "备注", "reason": "理由", "paid_on": "付款日期", "method": "付款方式"}


@bp.get("/funds")
def funds():
    require(*MONEY_ROLES)
    rows = views.compound_funds(desk().principal, compound_code())
    return render("spending/funds.html", title="资金余额", nav="desk.expenses", funds=rows)


@bp.get("/expenses")
def expenses():
    require(*MONEY_ROLES)
    status = request.args.get("status") or None
    waiting_for_me = request.args.get("waiting") == "1"
    cursor = request.args.get("cursor") or None
    error = None
    if status not in (None, *EXPENSE_STATUSES):
        error, status = "没有这个状态，已显示全部支出", None
    try:
        items, next_cursor, waiting = views.listing(
            desk().principal,
            compound_code(),
            status=status,
            waiting_for_me=waiting_for_me,
            cursor=cursor,
        )
    except AppError as refused:
        if refused.code != "bad_cursor":
            raise
        error = "翻页地址不对，已从第一页显示"
        items, next_cursor, waiting = views.listing(
            desk().principal, compound_code(), status=status, waiting_for_me=waiting_for_me
        )
    next_url = None
    if next_cursor:
        args = {"status": status, "waiting": "1" if waiting_for_me else None, "cursor": next_cursor}
        next_url = url_for("desk.expenses", **{k: v for k, v in args.items() if v})
    return render(
        "spending/expenses.html",
        title="支出",
        nav="desk.expenses",
        items=items,
        waiting=waiting,
        waiting_for_me=waiting_for_me,
        chosen=status,  # not `status`: render's HTTP status
        error=error,
        next_url=next_url,
        first_page=cursor is not None,
        statuses=choices("expense_status", EXPENSE_STATUSES),
        categories=choices("expense_category", EXPENSE_CATEGORIES),
        funds=views.compound_funds(desk().principal, compound_code()),
    )


@bp.post("/expenses")
def expense_new():
    require("committee")
    form = request.form

    def propose():
        data = {
            "fund": form.get("fund", ""),
            "amount_fen": fen_from_yuan(form.get("amount"), "支出金额"),
            "purpose": form.get("purpose", ""),
            "payee": form.get("payee", ""),
            "category": form.get("category", ""),
            "issue_id": optional_id(form.get("issue_id")),
        }
        body = load(ExpenseIn, data, EXPENSE_LABELS)
        body["receipts"] = photo(desk().principal, request.files, "receipt")
        return proposals.propose(desk().principal, compound_code(), **body)

    return act(propose, "已提出支出，等财务监督审核")


@bp.get("/expenses/<int:expense_id>")
def expense(expense_id: int):
    require(*MONEY_ROLES)
    view = views.detail(desk().principal, expense_id)
    if view.compound != compound_code():  # another compound the same person serves
        raise NotFound("找不到这笔支出", code="expense_not_found")
    return render(
        "spending/expense.html",
        title=f"支出 {view.expense.id} 号",
        nav="desk.expenses",
        item=view,
        pay_methods=choices("pay_method", PAY_METHODS),
    )


def _mine(expense_id: int) -> None:
    """The expense is the desk compound's (else the same 404 as any unknown id)."""
    if views.detail(desk().principal, expense_id).compound != compound_code():
        raise NotFound("找不到这笔支出", code="expense_not_found")


def _step(expense_id: int, work, done: str):
    def run():
        _mine(expense_id)
        return work()

    return act(run, done)


@bp.post("/expenses/<int:expense_id>/approve")
def expense_approve(expense_id: int):
    body = lambda: load(NoteIn, _text("note"), STEP_LABELS)  # noqa: E731
    return _step(
        expense_id,
        lambda: decisions.approve(desk().principal, expense_id, body().get("note")),
        "已审核通过",
    )


@bp.post("/expenses/<int:expense_id>/object")
def expense_object(expense_id: int):
    body = lambda: load(ReasonIn, _text("reason", keep_empty=True), STEP_LABELS)  # noqa: E731
    return _step(
        expense_id,
        lambda: decisions.object_to(desk().principal, expense_id, body()["reason"]),
        "已提出异议，支出暂停",
    )


@bp.post("/expenses/<int:expense_id>/confirm")
def expense_confirm(expense_id: int):
    return _step(
        expense_id, lambda: decisions.confirm(desk().principal, expense_id), "已确认这笔大额支出"
    )


@bp.post("/expenses/<int:expense_id>/pay")
def expense_pay(expense_id: int):
    form = request.form

    def pay():
        body = load(
            PayIn,
            {"paid_on": form.get("paid_on", ""), "method": form.get("method", "")},
            STEP_LABELS,
        )
        proof = photo(desk().principal, request.files, "proof")
        return payments.pay(
            desk().principal,
            expense_id,
            paid_on=body["paid_on"],
            method=body["method"],
            proof=proof,
        )

    return _step(expense_id, pay, "已登记付款，账本已记支出")


@bp.post("/expenses/<int:expense_id>/change")
def expense_change(expense_id: int):
    form = request.form

    def change():
        data = {k: form.get(k, "").strip() for k in ("purpose", "payee", "note")}
        data = {k: v for k, v in data.items() if v}
        if form.get("amount", "").strip():
            data["amount_fen"] = fen_from_yuan(form.get("amount"), "支出金额")
        body = load(ExpenseChangeIn, data, {**EXPENSE_LABELS, **STEP_LABELS})
        body["receipts"] = photo(desk().principal, request.files, "receipt")
        note = body.pop("note", None)
        return proposals.change(desk().principal, expense_id, note, **body)

    return _step(expense_id, change, "已修改，等财务监督重新审核")


@bp.post("/expenses/<int:expense_id>/withdraw")
def expense_withdraw(expense_id: int):
    body = lambda: load(NoteIn, _text("note"), STEP_LABELS)  # noqa: E731
    return _step(
        expense_id,
        lambda: proposals.withdraw(desk().principal, expense_id, body().get("note")),
        "已撤回这笔支出",
    )


@bp.post("/expenses/<int:expense_id>/reverse")
def expense_reverse(expense_id: int):
    body = lambda: load(ReasonIn, _text("reason", keep_empty=True), STEP_LABELS)  # noqa: E731
    return _step(
        expense_id,
        lambda: payments.reverse(desk().principal, expense_id, body()["reason"]),
        "已冲正，金额已退回资金",
    )


def _text(name: str, keep_empty: bool = False) -> dict:
    value = request.form.get(name, "").strip()
    return {name: value} if value or keep_empty else {}
