"""A compound's funds and its expenses: proposed by the committee, approved or objected
to by the finance supervisor, paid by another committee member into the ledger."""

from apiflask import APIBlueprint

from server.api.schemas.spending import (
    ExpenseChangeIn,
    ExpenseIn,
    ExpenseListOut,
    ExpenseOut,
    ExpenseQuery,
    FundListOut,
    NoteIn,
    PayIn,
    ReasonIn,
)
from server.api.security import auth, principal
from server.services.spending import decisions, payments, proposals, views

bp = APIBlueprint("expenses", __name__, url_prefix="/api/v1", tag="Spending")

COMPOUND = "/compounds/<string(maxlength=32):code>"
STEP = {404: "expense_not_found", 409: "expense_state or compound_archived"}


@bp.get(f"{COMPOUND}/funds")
@bp.auth_required(auth)
@bp.output(FundListOut)
@bp.doc(
    summary="Each fund's balance and this month's income and spending, from the ledger "
    "(any member of the compound)",
    responses={404: "compound_not_found"},
)
def list_funds(code):
    return {"funds": views.compound_funds(principal(), code)}


@bp.post(f"{COMPOUND}/expenses")
@bp.auth_required(auth)
@bp.input(ExpenseIn, arg_name="body")
@bp.output(ExpenseOut, status_code=201)
@bp.doc(
    summary="Propose an expense (committee): it waits for the finance supervisor",
    description="`large` when above the compound's threshold (default ¥2,000): a second "
    "committee member also confirms it before it can be paid.",
    responses={
        400: "fund_unknown, issue_not_found, photo_invalid, too_many_photos or validation_error",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def propose(code, body):
    expense = proposals.propose(principal(), code, **body)
    return views.detail(principal(), expense.id)


@bp.get(f"{COMPOUND}/expenses")
@bp.auth_required(auth)
@bp.input(ExpenseQuery, location="query", arg_name="query")
@bp.output(ExpenseListOut)
@bp.doc(
    summary="A compound's expenses, newest first, 20 a page (any member); "
    "`waiting_for_me` gives the caller's queue",
    responses={400: "bad_cursor or validation_error", 404: "compound_not_found"},
)
def list_expenses(code, query):
    items, next_cursor, waiting = views.listing(
        principal(),
        code,
        status=query.get("status"),
        waiting_for_me=query["waiting_for_me"],
        cursor=query.get("cursor"),
    )
    return {"items": items, "next_cursor": next_cursor, "waiting_for_me": waiting}


@bp.get("/expenses/<int:expense_id>")
@bp.auth_required(auth)
@bp.output(ExpenseOut)
@bp.doc(
    summary="One expense with its receipts, history and what the caller may do (any member)",
    responses={404: "expense_not_found"},
)
def show(expense_id):
    return views.detail(principal(), expense_id)


def _shown(expense):
    return views.detail(principal(), expense.id)


@bp.post("/expenses/<int:expense_id>/approve")
@bp.auth_required(auth)
@bp.input(NoteIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Approve a proposed expense (the finance supervisor, not its proposer)",
    responses={400: "validation_error", 403: "supervisor_only or same_person", **STEP},
)
def approve(expense_id, body):
    return _shown(decisions.approve(principal(), expense_id, body.get("note")))


@bp.post("/expenses/<int:expense_id>/object")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Object with a reason (the finance supervisor): stopped until changed or withdrawn",
    responses={400: "validation_error", 403: "supervisor_only or same_person", **STEP},
)
def object_to(expense_id, body):
    return _shown(decisions.object_to(principal(), expense_id, body["reason"]))


@bp.post("/expenses/<int:expense_id>/change")
@bp.auth_required(auth)
@bp.input(ExpenseChangeIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Change a proposed or objected expense (committee): a new version that needs "
    "a new approval",
    responses={
        400: "nothing_changed, fund_unknown, issue_not_found, photo_invalid or validation_error",
        403: "committee_only",
        **STEP,
    },
)
def change(expense_id, body):
    note = body.pop("note", None)
    return _shown(proposals.change(principal(), expense_id, note, **body))


@bp.post("/expenses/<int:expense_id>/withdraw")
@bp.auth_required(auth)
@bp.input(NoteIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Withdraw an expense not yet paid (committee)",
    responses={400: "validation_error", 403: "committee_only", **STEP},
)
def withdraw(expense_id, body):
    return _shown(proposals.withdraw(principal(), expense_id, body.get("note")))


@bp.post("/expenses/<int:expense_id>/confirm")
@bp.auth_required(auth)
@bp.output(ExpenseOut)
@bp.doc(
    summary="Confirm a large expense (a second committee member, not its proposer), "
    "standing in for the owners' decision",
    responses={
        403: "committee_only or same_person",
        404: "expense_not_found",
        409: "not_large, decision_required (the compound's rule asks for an owners' "
        "decision), already_confirmed, expense_state or compound_archived",
    },
)
def confirm(expense_id):
    return _shown(decisions.confirm(principal(), expense_id))


@bp.post("/expenses/<int:expense_id>/pay")
@bp.auth_required(auth)
@bp.input(PayIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Record the payment (a committee member other than the proposer): a ledger "
    "debit of the fund, never below zero",
    responses={
        400: "paid_on_in_future, photo_invalid or validation_error",
        403: "committee_only or same_person",
        404: "expense_not_found",
        409: "insufficient_funds, confirmation_required, expense_state or compound_archived",
    },
)
def pay(expense_id, body):
    expense = payments.pay(
        principal(), expense_id, paid_on=body["paid_on"], method=body["method"], proof=body["proof"]
    )
    return _shown(expense)


@bp.post("/expenses/<int:expense_id>/reverse")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(ExpenseOut)
@bp.doc(
    summary="Reverse a paid expense with a reason (committee): the amount is credited back",
    responses={
        400: "validation_error",
        403: "committee_only",
        404: "expense_not_found",
        409: "already_reversed, expense_state or compound_archived",
    },
)
def reverse(expense_id, body):
    return _shown(payments.reverse(principal(), expense_id, body["reason"]))
