"""Schemas of the monthly disclosure (月度公示)."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import LocalDateTime, Text
from server.labels import label


class DisclosureCreateIn(Schema):
    month = fields.String(
        required=True,
        validate=validators.Length(max=7),
        metadata={
            "description": "YYYY-MM: a month that has ended, or the current one on demand",
            "example": "2026-12",
        },
    )
    corrects = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "the latest version of this month, which this one corrects"},
    )
    changes = Text(500, load_default=None, metadata={"description": "what the new version changes"})


class DisclosureObjectIn(Schema):
    reason = Text(200, required=True, metadata={"description": "what is wrong"})


class DisclosureFundOut(Schema):
    account = fields.String(metadata={"description": "fee:<code>, fund:co_construction, ..."})
    name = fields.String()
    opening_fen = fields.Integer()
    income = fields.List(
        fields.Dict(),
        metadata={
            "description": "credits of the month: {key, kind (fees, income, reversal, "
            "overpaid, ...), title, amount_fen, entries; fees: bills, households; income: "
            "income_id, income_kind, counterparty, received_on; counted kinds: count}"
        },
    )
    expenses = fields.List(
        fields.Dict(),
        metadata={
            "description": "debits of the month: {key, kind (expense, refund, ...), title, "
            "amount_fen; expense: expense_id, purpose, payee, category, category_name, "
            "paid_on, receipts (upload ids)}"
        },
    )
    income_fen = fields.Integer()
    expense_fen = fields.Integer()
    closing_fen = fields.Integer()


class DisclosureSummaryOut(Schema):
    id = fields.Integer()
    month = fields.String()
    version = fields.Integer()
    title = fields.String()
    status = fields.String(
        metadata={"description": "draft, signed, objected, published, superseded"}
    )
    status_name = fields.Function(lambda d: label("disclosure_status", d["status"]))
    created_at = LocalDateTime()
    published_at = LocalDateTime(allow_none=True)


class DisclosureOut(DisclosureSummaryOut):
    compound = fields.String(metadata={"description": "the compound's code"})
    compound_name = fields.String()
    ledger_seq = fields.Integer(metadata={"description": "the last ledger entry counted"})
    ledger_head = fields.String(metadata={"description": "that entry's hash"})
    supersedes_id = fields.Integer(allow_none=True)
    changes = fields.String(allow_none=True)
    objection = fields.String(allow_none=True)
    signed_at = LocalDateTime(allow_none=True)
    funds = fields.List(fields.Nested(DisclosureFundOut))
    collection = fields.Dict(
        metadata={
            "description": "households_billed, households_paid, collection_rate, billed_fen, "
            "collected_fen (at the freeze)"
        }
    )
    issues = fields.List(
        fields.Dict(), metadata={"description": "{category, name, reported, resolved}"}
    )
    actions = fields.List(
        fields.String(),
        metadata={"description": "what the caller may do now: sign_off, object, publish, correct"},
    )
    pdf_url = fields.String()
    verify_url = fields.String()


class DisclosureListOut(Schema):
    items = fields.List(fields.Nested(DisclosureSummaryOut))


class DifferenceOut(Schema):
    kind = fields.String(metadata={"description": "figure (a line differs) or chain (an entry)"})
    message = fields.String(metadata={"description": "in Chinese: where, frozen, recomputed"})
    fund = fields.String()
    fund_name = fields.String()
    line = fields.String(metadata={"description": "the line's key, or opening_fen/closing_fen"})
    line_title = fields.String()
    frozen = fields.Integer(allow_none=True)
    recomputed = fields.Integer(allow_none=True)
    seq = fields.Integer(metadata={"description": "the ledger entry that breaks the chain"})


class VerifyOut(Schema):
    id = fields.Integer()
    title = fields.String()
    compound_name = fields.String()
    ledger_seq = fields.Integer()
    ledger_head = fields.String()
    verified = fields.Boolean()
    summary = fields.String(metadata={"description": "一致, or how many differences"})
    differences = fields.List(fields.Nested(DifferenceOut))
