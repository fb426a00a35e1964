"""Schemas for bills, WeChat Pay payments and offline (cash, transfer) payments."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import (
    CompoundCode,
    Count,
    Day,
    Int,
    LocalDateTime,
    QueryInt,
    Text,
)
from server.api.schemas.refunds import PaymentRefundOut
from server.clock import SHANGHAI
from server.models.payments import OFFLINE_METHODS
from server.services.money.bill_holds import online_holder
from server.services.money.payment_cancel import closes_at
from server.services.money.refund_reads import refunds_of_payment

BILL_IDS = dict(validate=Count(1, 36), required=True)


class BillOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    item = fields.String(attribute="fee_item.code")
    item_name = fields.String(attribute="fee_item.name")
    period = fields.String()
    amount_fen = fields.Integer()
    status = fields.String(
        metadata={
            "description": "unpaid; pending (in an open WeChat Pay order, or cash waiting "
            "for a second person's confirmation); paid; cancelled (its meter reading was "
            "voided: owed by nobody; paid_at set if it had been paid, then refunded)"
        }
    )
    basis = fields.Dict(allow_none=True)
    paid_at = LocalDateTime(allow_none=True)
    payment_id = fields.Function(
        online_holder,
        metadata={
            "type": "integer",
            "nullable": True,
            "description": "the open WeChat Pay order holding a pending bill (it can be "
            "cancelled: POST /payments/{id}/cancel); null otherwise",
        },
    )


class BillListOut(Schema):
    items = fields.List(fields.Nested(BillOut))
    unpaid_fen = fields.Integer()


class BillQuery(Schema):
    household_id = QueryInt()


class HouseholdQuery(Schema):
    household_id = QueryInt(required=True)


class PaymentIn(Schema):
    bill_ids = fields.List(Int(), **BILL_IDS)


class PaymentCreatedOut(Schema):
    payment_id = fields.Integer(attribute="payment.id")
    out_trade_no = fields.String(attribute="payment.out_trade_no")
    total_fen = fields.Integer(attribute="payment.total_fen")
    expires_at = LocalDateTime(attribute="payment.expires_at")
    pay_params = fields.Dict(metadata={"description": "for wx.requestPayment"})


class PaymentOut(Schema):
    id = fields.Integer()
    out_trade_no = fields.String()
    total_fen = fields.Integer()
    status = fields.String(
        metadata={
            "description": "pending, paid, closed, disputed (WeChat Pay took another amount: "
            "the bills are unpaid again and the money is owed back, see payment-anomalies)"
        }
    )
    created_at = LocalDateTime()
    paid_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    cancelled = fields.Function(
        lambda p: p.cancel_requested_at is not None,
        metadata={"type": "boolean", "description": "cancelled by its payer or a collector"},
    )
    closes_at = fields.Function(
        lambda p: _local(closes_at(p)),
        metadata={
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "a cancelled order still pending is closed at this time (WeChat "
            "Pay closes orders only 5 minutes after they were made); its bills are "
            "freed then",
        },
    )
    refunded_fen = fields.Integer(metadata={"description": "refunded through WeChat Pay so far"})
    refunds = fields.Function(
        lambda p: PaymentRefundOut(many=True).dump(refunds_of_payment(p)),
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "refunds confirmed by the committee: [{amount_fen, status "
            "(confirmed, processing, success, closed, abnormal, failed), sent_at, settled_at, "
            "received_by}]",
        },
    )


def _local(moment):
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


class PaymentListOut(Schema):
    items = fields.List(fields.Nested(PaymentOut))


class OfflinePaymentIn(Schema):
    bill_ids = fields.List(Int(), **BILL_IDS)
    method = fields.String(required=True, validate=validators.OneOf(OFFLINE_METHODS))
    amount_fen = fields.Integer(strict=True, required=True, validate=validators.Range(1, 10**9))
    # Not before 2000, nor past a year from today; the use case refuses any day still
    # to come (a typo within the window is the confirming committee member's to see).
    paid_on = Day(back=None, ahead=366, required=True)
    receipt_photo = Int(
        allow_none=True,
        metadata={"description": "an upload id: the recorder's own photo, not used elsewhere"},
    )
    note = Text(200, allow_none=True)


class OfflinePaymentOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    household_label = fields.String(
        attribute="household.label", metadata={"description": "1-1-101"}
    )
    method = fields.String()
    amount_fen = fields.Integer()
    paid_on = fields.Date()
    receipt_photo = fields.Integer(attribute="receipt_upload_id", allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String()
    recorded_by_id = fields.Integer()
    decided_by_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    created_at = LocalDateTime()


class OfflinePaymentListOut(Schema):
    items = fields.List(fields.Nested(OfflinePaymentOut))


class OfflineQuery(Schema):
    compound = CompoundCode(required=True)
    status = fields.String(
        load_default="pending", validate=validators.OneOf(("pending", "confirmed", "rejected"))
    )


class RejectOfflineIn(Schema):
    reason = Text(200, required=True)


class PaymentStatusOut(PaymentOut):
    """One payment (its own schema name: PaymentOut is nested in the history list)."""
