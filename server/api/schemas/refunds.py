"""Schemas for refunds through WeChat Pay."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Int, LocalDateTime, QueryInt, Text
from server.models.payments import REFUND_STATUSES

STATUSES = ", ".join(REFUND_STATUSES)


class RefundIn(Schema):
    payment_id = Int(required=True)
    amount_fen = fields.Integer(strict=True, required=True, validate=validators.Range(1, 10**9))
    reason = Text(200, required=True, metadata={"description": "why, as both members read it"})
    anomaly_id = Int(
        allow_none=True,
        load_default=None,
        metadata={"description": "the anomaly whose money owed back this returns"},
    )


class RefundOut(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    out_trade_no = fields.String()
    household = fields.String(metadata={"description": "1-1-101"})
    amount_fen = fields.Integer()
    reason = fields.String()
    status = fields.String(metadata={"description": STATUSES})
    anomaly_id = fields.Integer(allow_none=True)
    pending_change_id = fields.Integer(
        allow_none=True,
        metadata={"description": "while proposed: the pending change to confirm or reject"},
    )
    proposed_by = fields.String(metadata={"description": "the proposer's name"})
    confirmed_by = fields.String(allow_none=True)
    created_at = LocalDateTime()
    confirmed_at = LocalDateTime(allow_none=True)
    sent_at = LocalDateTime(allow_none=True)
    settled_at = LocalDateTime(allow_none=True)
    received_by = fields.String(
        allow_none=True,
        metadata={"description": "where the money went back (支付用户的零钱, a card)"},
    )
    error = fields.String(allow_none=True, metadata={"description": "why it failed, in Chinese"})


class RefundListOut(Schema):
    items = fields.List(fields.Nested(RefundOut))


class RefundQuery(Schema):
    status = fields.String(validate=validators.OneOf(REFUND_STATUSES))
    payment_id = QueryInt()


class RefundableOut(Schema):
    payment_id = fields.Integer()
    out_trade_no = fields.String()
    household = fields.String()
    paid_fen = fields.Integer()
    refunded_fen = fields.Integer()
    in_flight_fen = fields.Integer(metadata={"description": "proposed, confirmed or processing"})
    refundable_fen = fields.Integer()
    merchant_version = fields.String(allow_none=True, metadata={"description": "v2 or v3"})


class PaymentRefundOut(Schema):
    """A refund as its payer sees it."""

    amount_fen = fields.Integer()
    status = fields.String(metadata={"description": STATUSES})
    sent_at = LocalDateTime(allow_none=True)
    settled_at = LocalDateTime(allow_none=True)
    received_by = fields.String(allow_none=True)
