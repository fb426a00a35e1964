"""Schemas for the books: the ledger, payment anomalies and the daily reconciliation
reports."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.approvals import PendingChangeOut
from server.api.schemas.fields import CompoundCode, LocalDateTime, QueryInt, Text
from server.services.money.anomalies import refund_left


class LedgerEntryOut(Schema):
    seq = fields.Integer()
    account = fields.String()
    direction = fields.String()
    amount_fen = fields.Integer()
    source_type = fields.String()
    source_id = fields.Integer()
    memo = fields.String(allow_none=True)
    created_at = LocalDateTime()
    hash = fields.String()


class LedgerQuery(Schema):
    compound = CompoundCode(required=True)
    before_seq = QueryInt()
    limit = fields.Integer(strict=False, validate=validators.Range(1, 200), load_default=50)


class LedgerCheckOut(Schema):
    checked = fields.Integer(metadata={"description": "entries recomputed for this answer"})
    from_seq = fields.Integer(
        metadata={"description": "entries up to this one were verified before (0: none)"}
    )
    checkpoint_at = LocalDateTime(
        allow_none=True, metadata={"description": "when entry from_seq was verified"}
    )
    up_to = fields.Integer(metadata={"description": "the chain's last entry checked"})
    full_seq = fields.Integer(
        allow_none=True,
        metadata={"description": "the last check from the first entry reached this one"},
    )
    full_at = LocalDateTime(allow_none=True, metadata={"description": "and ran then"})


class LedgerPageOut(Schema):
    items = fields.List(fields.Nested(LedgerEntryOut))
    balance_fen = fields.Dict(keys=fields.String(), values=fields.Integer())
    verified = fields.Boolean()
    verification = fields.Nested(
        LedgerCheckOut,
        metadata={
            "description": "how `verified` was found: the entries after the newest verified "
            "checkpoint were recomputed; every entry is recomputed weekly"
        },
    )


class AnomalyOut(Schema):
    id = fields.Integer()
    payment_id = fields.Integer(allow_none=True)
    kind = fields.String(
        metadata={
            "description": "amount_mismatch (a notification with another amount), "
            "amount_disputed (WeChat Pay's query confirms another amount: refund due), "
            "double_payment (a bill was paid another way meanwhile: refund due), "
            "reading_voided (a paid electricity bill whose reading was voided: refund due), "
            "duplicate_transaction"
        }
    )
    details = fields.Dict(
        metadata={"description": "out_trade_no, bills, expected/received, refund_due_fen"}
    )
    created_at = LocalDateTime()
    resolved_at = LocalDateTime(allow_none=True)
    resolution = fields.String(allow_none=True, metadata={"description": "the latest note"})
    refunded_fen = fields.Integer(allow_none=True, metadata={"description": "refunded so far"})
    refund_left_fen = fields.Function(
        refund_left, metadata={"type": "integer", "description": "still owed back"}
    )
    pending_refund = fields.Nested(
        PendingChangeOut,
        allow_none=True,
        metadata={"description": "a refund recorded, waiting for a second committee member"},
    )


class AnomalyListOut(Schema):
    items = fields.List(fields.Nested(AnomalyOut))


class AnomalyQuery(Schema):
    open = fields.Boolean(load_default=False, metadata={"description": "unresolved only"})


class AnomalyResolveIn(Schema):
    resolution = Text(200, required=True, metadata={"description": "what was done"})
    refunded_fen = fields.Integer(
        strict=True,
        load_default=0,
        validate=validators.Range(0, 10**9),
        metadata={
            "description": "refunded to the resident: 1 to refund_left_fen when money is "
            "owed back — it counts once a second committee member confirms it (202); the "
            "anomaly is resolved when nothing is left — else 0 (a note alone: 200)"
        },
    )


class ResolvedAnomalyOut(AnomalyOut):
    """One anomaly after a refund or its resolution (its own name: AnomalyOut is nested
    in the list)."""


class ReportStatementOut(Schema):
    """The compound's share of WeChat Pay's daily statement for the day."""

    status = fields.String(
        metadata={"description": "compared, not_ready, unreadable or unavailable"}
    )
    lines = fields.Integer(metadata={"description": "statement lines of this compound"})
    paid_fen = fields.Integer()
    refund_fen = fields.Integer()
    fee_fen = fields.Integer(metadata={"description": "WeChat Pay's service fee"})
    net_fen = fields.Integer(metadata={"description": "paid − refunded − fees"})
    differences = fields.List(fields.String(), metadata={"description": "in plain Chinese"})


class ReportOut(Schema):
    day = fields.Date()
    statement = fields.Method(
        "_statement",
        metadata={"description": "WeChat Pay's statement of the day (null: not read yet)"},
    )
    summary = fields.Dict(
        metadata={
            "description": "day, orders, paid, closed, pending, disputed, differences, "
            "open_anomalies, statement"
        }
    )
    differences = fields.Method("_differences")
    started_at = LocalDateTime()

    def _differences(self, report) -> list[str]:
        return report.differences.split("\n") if report.differences else []

    def _statement(self, report) -> dict | None:
        section = (report.summary or {}).get("statement")
        return ReportStatementOut().dump(section) if section else None


class ReportListOut(Schema):
    items = fields.List(fields.Nested(ReportOut))
