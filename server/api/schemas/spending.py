"""Schemas for a compound's funds and its expenses (支出)."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Count, Day, Int, LocalDateTime, Text
from server.models.spending import EXPENSE_CATEGORIES, EXPENSE_STATUSES, PAY_METHODS

MAX_FEN = 10_000_000  # ¥100,000: one expense at most
AMOUNT = validators.Range(1, MAX_FEN, error="金额应在 0.01 元到 100,000 元之间")
FUND = validators.Regexp(r"^[a-z_]{1,12}:[A-Za-z0-9_]{1,32}\Z", error="请选择一项资金")
PHOTOS = dict(validate=Count(0, 9))


class FundOut(Schema):
    account = fields.String(metadata={"description": "fee:<item>, fund:co_construction, …"})
    name = fields.String()
    balance_fen = fields.Integer()
    income_fen_month = fields.Integer(metadata={"description": "credits since the 1st"})
    spent_fen_month = fields.Integer(metadata={"description": "debits since the 1st"})


class FundListOut(Schema):
    funds = fields.List(fields.Nested(FundOut))


class ExpenseIn(Schema):
    fund = fields.String(required=True, validate=FUND)
    amount_fen = fields.Integer(strict=True, required=True, validate=AMOUNT)
    purpose = Text(200, required=True)
    payee = Text(100, required=True)
    category = fields.String(required=True, validate=validators.OneOf(EXPENSE_CATEGORIES))
    receipts = fields.List(Int(), load_default=list, **PHOTOS)
    issue_id = Int(allow_none=True, load_default=None)


class ExpenseChangeIn(Schema):
    fund = fields.String(validate=FUND)
    amount_fen = fields.Integer(strict=True, validate=AMOUNT)
    purpose = Text(200)
    payee = Text(100)
    category = fields.String(validate=validators.OneOf(EXPENSE_CATEGORIES))
    issue_id = Int(allow_none=True)
    receipts = fields.List(Int(), metadata={"description": "more receipt photos"}, **PHOTOS)
    note = Text(200, metadata={"description": "why it changed"})


class ReasonIn(Schema):
    reason = Text(200, required=True)


class NoteIn(Schema):
    note = Text(200)


class PayIn(Schema):
    paid_on = Day(back=366, ahead=1, required=True)
    method = fields.String(required=True, validate=validators.OneOf(PAY_METHODS))
    proof = fields.List(Int(), load_default=list, **PHOTOS)


class ExpenseQuery(Schema):
    status = fields.String(validate=validators.OneOf(EXPENSE_STATUSES))
    waiting_for_me = fields.Boolean(load_default=False)
    cursor = fields.String(validate=validators.Length(max=32))


class HistoryLineOut(Schema):
    action = fields.String()
    what = fields.String(metadata={"description": "the step in Chinese"})
    actor = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True, metadata={"description": "a change's old and new"})
    at = LocalDateTime()


class ExpenseItemOut(Schema):
    """An expense as any member of its compound sees it in a list (an `ExpenseView`)."""

    id = fields.Integer(attribute="expense.id")
    compound = fields.String()
    fund = fields.String(attribute="expense.fund")
    fund_name = fields.String()
    amount_fen = fields.Integer(attribute="expense.amount_fen")
    purpose = fields.String(attribute="expense.purpose")
    payee = fields.String(attribute="expense.payee")
    category = fields.String(attribute="expense.category")
    category_label = fields.String()
    issue_id = fields.Integer(attribute="expense.issue_id", allow_none=True)
    status = fields.String(
        attribute="expense.status",
        metadata={"description": "proposed, objected, approved, paid, withdrawn"},
    )
    status_label = fields.String()
    version = fields.Integer(attribute="expense.version")
    large = fields.Boolean(
        attribute="expense.large",
        metadata={"description": "above the compound's threshold: a second member confirms"},
    )
    needs_confirmation = fields.Boolean()
    objection = fields.String(attribute="expense.objection", allow_none=True)
    paid_on = fields.Date(attribute="expense.paid_on", allow_none=True)
    pay_method = fields.String(attribute="expense.pay_method", allow_none=True)
    reversed = fields.Function(lambda v: v.expense.reversed_at is not None)
    reversal_reason = fields.String(attribute="expense.reversal_reason", allow_none=True)
    proposed_by = fields.String(attribute="names.proposed_by", allow_none=True)
    approved_by = fields.String(attribute="names.approved_by", allow_none=True)
    confirmed_by = fields.String(attribute="names.confirmed_by", allow_none=True)
    objected_by = fields.String(attribute="names.objected_by", allow_none=True)
    paid_by = fields.String(attribute="names.paid_by", allow_none=True)
    reversed_by = fields.String(attribute="names.reversed_by", allow_none=True)
    created_at = LocalDateTime(attribute="expense.created_at")
    approved_at = LocalDateTime(attribute="expense.approved_at", allow_none=True)
    paid_at = LocalDateTime(attribute="expense.paid_at", allow_none=True)
    receipts = fields.List(
        fields.Integer(), metadata={"description": "upload ids: GET /api/v1/uploads/{id}"}
    )
    proofs = fields.List(fields.Integer(), metadata={"description": "the payment's proof"})
    actions = fields.List(
        fields.String(),
        metadata={
            "description": "what the caller may do: approve, object, change, "
            "confirm, pay, withdraw, reverse"
        },
    )


class ExpenseOut(ExpenseItemOut):
    """One expense, with its history."""

    history = fields.List(fields.Nested(HistoryLineOut))


class ExpenseListOut(Schema):
    items = fields.List(fields.Nested(ExpenseItemOut))
    next_cursor = fields.String(allow_none=True)
    waiting_for_me = fields.Integer(
        metadata={"description": "how many of the compound's expenses wait for the caller"}
    )
