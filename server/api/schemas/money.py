"""Schemas for bills, payments, offline payments, fee items, figures and the ledger."""

from __future__ import annotations

from decimal import Decimal

from apiflask import Schema, fields, validators
from marshmallow import ValidationError

from server.api.schemas.approvals import PendingChangeOut
from server.api.schemas.fields import (
    CompoundCode,
    Count,
    Day,
    DecimalString,
    Int,
    LocalDateTime,
    QueryInt,
    Text,
)
from server.clock import SHANGHAI
from server.models.fees import CYCLES, VACANT_RULES
from server.models.payments import OFFLINE_METHODS
from server.services.money.anomalies import refund_left
from server.services.money.bill_holds import online_holder
from server.services.money.payment_cancel import closes_at

MONTH = validators.Regexp(
    r"^20[0-9]{2}-(0[1-9]|1[0-2])\Z", error="账期格式应为 YYYY-MM，如 2026-12"
)
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


class PeriodQuery(Schema):
    compound = CompoundCode(required=True)
    period = fields.String(required=True, validate=MONTH)


class TallyOut(Schema):
    households_billed = fields.Integer()
    households_paid = fields.Integer()
    collection_rate = fields.Float(allow_none=True)
    billed_fen = fields.Integer()
    collected_fen = fields.Integer()


class BuildingTallyOut(TallyOut):
    building = fields.Integer()


class UnitTallyOut(TallyOut):
    building = fields.Integer()
    unit = fields.Integer()
    label = fields.String()


class SummaryOut(TallyOut):
    period = fields.String()
    by_building = fields.List(fields.Nested(BuildingTallyOut))
    by_unit = fields.List(fields.Nested(UnitTallyOut))


class UnpaidOut(Schema):
    household_id = fields.Integer()
    label = fields.String()
    owed_fen = fields.Integer()
    bills = fields.Integer()


class UnpaidListOut(Schema):
    items = fields.List(fields.Nested(UnpaidOut))


class FeeItemOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    rate = DecimalString(allow_none=True, metadata={"description": "yuan/m²/month"})
    cycle = fields.String()
    vacant_rule = fields.String()
    active = fields.Boolean()
    pending_change = fields.Nested(
        PendingChangeOut,
        allow_none=True,
        metadata={"description": "a change proposed, waiting for a second committee member"},
    )


class FeeItemListOut(Schema):
    items = fields.List(fields.Nested(FeeItemOut))


def _rate_in_range(rate) -> None:
    # A function, not a Range validator: that would document its bounds as strings.
    if not 0 < rate < 100 or rate != rate.quantize(Decimal("0.0001")):
        raise ValidationError("费率应大于 0、小于 100 元，最多 4 位小数")


class FeeItemIn(Schema):
    rate = DecimalString(
        pattern=r"^[0-9]{1,2}(\.[0-9]{1,4})?$",
        validate=_rate_in_range,
        metadata={"description": 'yuan per m² per month, e.g. "0.35"'},
    )
    cycle = fields.String(validate=validators.OneOf(CYCLES))
    vacant_rule = fields.String(validate=validators.OneOf(VACANT_RULES))
    active = fields.Boolean()


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


class LedgerPageOut(Schema):
    items = fields.List(fields.Nested(LedgerEntryOut))
    balance_fen = fields.Dict(keys=fields.String(), values=fields.Integer())
    verified = fields.Boolean()


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


class ReportOut(Schema):
    day = fields.Date()
    summary = fields.Dict(
        metadata={
            "description": "day, orders, paid, closed, pending, disputed, differences, "
            "open_anomalies"
        }
    )
    differences = fields.Method("_differences")
    started_at = LocalDateTime()

    def _differences(self, report) -> list[str]:
        return report.differences.split("\n") if report.differences else []


class ReportListOut(Schema):
    items = fields.List(fields.Nested(ReportOut))


class PaymentStatusOut(PaymentOut):
    """One payment (its own schema name: PaymentOut is nested in the history list)."""
