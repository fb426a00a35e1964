"""Schemas for the fees the owners agreed on and a period's collection: figures and the
unpaid lists."""

from __future__ import annotations

from decimal import Decimal

from apiflask import Schema, fields, validators
from marshmallow import ValidationError

from server.api.schemas.approvals import PendingChangeOut
from server.api.schemas.fields import MONTH, CompoundCode, DecimalString
from server.models.fees import CYCLES, VACANT_RULES


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
