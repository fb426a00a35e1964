"""Schemas for changes of money waiting for a second person, and for meter readings."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import MONTH, Int, LocalDateTime, QueryInt, Text
from server.models.approvals import APPROVAL_KINDS, APPROVAL_STATUSES

KINDS = ", ".join(APPROVAL_KINDS)


class PendingChangeOut(Schema):
    """A proposal as the committee sees it (a `ChangeView`)."""

    id = fields.Integer(attribute="approval.id")
    kind = fields.String(attribute="approval.kind", metadata={"description": KINDS})
    status = fields.String(attribute="approval.status", metadata={"description": "pending, …"})
    summary = fields.String(
        attribute="approval.summary",
        metadata={"description": "one line in Chinese: what changes, by how much, from when"},
    )
    details = fields.Dict(
        attribute="approval.details",
        metadata={
            "description": "meter_reading: unit, period, amount_fen, households, flag "
            "(null, or multiple, average_fen, ratio, recent [{period, amount_fen}]); "
            "meter_void: unit, period, amount_fen, bills, paid_households, paid_fen; "
            "fee_change: item, item_name, kind, from {…}, to {…}, effective_label; "
            "refund: refunded_fen, left_fen, anomaly_kind"
        },
    )
    effective_period = fields.String(
        attribute="approval.effective_period",
        allow_none=True,
        metadata={"description": "the first bill period it shapes: 2027-01, 2027Q1, 2027"},
    )
    note = fields.String(
        attribute="approval.note", allow_none=True, metadata={"description": "why"}
    )
    proposed_by = fields.String(metadata={"description": "the proposer's nickname"})
    proposed_by_id = fields.Integer(attribute="approval.proposed_by_id")
    created_at = LocalDateTime(attribute="approval.created_at")
    decided_by = fields.String(allow_none=True)
    decided_at = LocalDateTime(attribute="approval.decided_at", allow_none=True)
    reason = fields.String(attribute="approval.reason", allow_none=True)
    mine = fields.Boolean(metadata={"description": "proposed by the caller, who cannot decide it"})


class PendingChangeListOut(Schema):
    items = fields.List(fields.Nested(PendingChangeOut))


class ChangeOut(PendingChangeOut):
    """One proposal, just made or decided (its own schema name: PendingChangeOut is nested
    in lists)."""


class PendingChangeQuery(Schema):
    status = fields.String(load_default="pending", validate=validators.OneOf(APPROVAL_STATUSES))


class ConfirmChangeIn(Schema):
    acknowledge_flag = fields.Boolean(
        load_default=False,
        metadata={"description": "a flagged meter reading: the confirmer checked it"},
    )


class RejectChangeIn(Schema):
    reason = Text(200, required=True, metadata={"description": "the proposer reads it"})


class OpenChangeOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "meter_reading (to confirm) or meter_void"})
    note = fields.String(allow_none=True)
    created_at = LocalDateTime()


class MeterReadingOut(Schema):
    id = fields.Integer(attribute="reading.id")
    unit_id = fields.Integer(attribute="reading.unit_id")
    unit_label = fields.String(metadata={"description": "1-2"})
    period = fields.String(attribute="reading.period")
    amount_fen = fields.Integer(attribute="reading.amount_fen")
    status = fields.String(
        attribute="reading.status",
        metadata={"description": "pending (no bills yet), confirmed, rejected, voided"},
    )
    flag = fields.Dict(attribute="reading.flag", allow_none=True)
    entered_by = fields.String()
    created_at = LocalDateTime(attribute="reading.created_at")
    open_change = fields.Nested(
        OpenChangeOut,
        allow_none=True,
        metadata={"description": "its confirmation or its void, waiting for a second person"},
    )


class MeterReadingListOut(Schema):
    items = fields.List(fields.Nested(MeterReadingOut))


class RecordedReadingOut(MeterReadingOut):
    """A reading just recorded (its own schema name: MeterReadingOut is nested in lists)."""


class MeterReadingQuery(Schema):
    unit_id = QueryInt(required=True)


class MeterReadingIn(Schema):
    unit_id = Int(required=True)
    period = fields.String(required=True, validate=MONTH)
    amount_fen = fields.Integer(strict=True, required=True, validate=validators.Range(1, 10**8))


class VoidReadingIn(Schema):
    reason = Text(200, required=True, metadata={"description": "what was wrong"})
