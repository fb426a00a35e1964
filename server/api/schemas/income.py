"""Schemas for public income: assets, contracts with their schedules, income records."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Count, Day, Int, LocalDateTime, Text
from server.models.income import (
    ASSET_KINDS,
    CONTRACT_CYCLES,
    INCOME_KINDS,
    INCOME_METHODS,
    INCOME_STATUSES,
)

PHOTOS = dict(validate=Count(max=9), load_default=list)
MONEY = dict(strict=True, required=True, validate=validators.Range(1, 10**10))


class AssetIn(Schema):
    kind = fields.String(required=True, validate=validators.OneOf(ASSET_KINDS))
    name = Text(100, required=True, metadata={"description": "e.g. 1号楼东侧广告牌"})
    location = Text(200, allow_none=True)
    note = Text(200, allow_none=True)
    photos = fields.List(Int(), **PHOTOS, metadata={"description": "upload ids (public)"})


class AssetPatchIn(Schema):
    name = Text(100)
    location = Text(200, allow_none=True)
    note = Text(200, allow_none=True)
    active = fields.Boolean(metadata={"description": "false: no longer let out"})


class AssetOut(Schema):
    id = fields.Integer(attribute="asset.id")
    kind = fields.String(attribute="asset.kind")
    name = fields.String(attribute="asset.name")
    location = fields.String(attribute="asset.location", allow_none=True)
    note = fields.String(attribute="asset.note", allow_none=True)
    active = fields.Boolean(attribute="asset.active")
    photos = fields.List(fields.Integer(), metadata={"description": "upload ids"})
    created_at = LocalDateTime(attribute="asset.created_at")


class AssetListOut(Schema):
    items = fields.List(fields.Nested(AssetOut))


class ContractIn(Schema):
    asset_id = Int(allow_none=True)
    counterparty = Text(100, required=True, metadata={"description": "who pays: a business"})
    kind = fields.String(required=True, validate=validators.OneOf(INCOME_KINDS))
    price_fen = fields.Integer(**MONEY, metadata={"description": "per cycle"})
    cycle = fields.String(required=True, validate=validators.OneOf(CONTRACT_CYCLES))
    start_on = Day(back=None, ahead=366, required=True)
    end_on = Day(back=None, ahead=11 * 366, required=True)
    note = Text(1000, allow_none=True, multiline=True)
    scan = fields.List(Int(), **PHOTOS, metadata={"description": "upload ids (not public)"})


class InstalmentOut(Schema):
    id = fields.Integer()
    due_on = fields.Date()
    amount_fen = fields.Integer()
    income_id = fields.Integer(allow_none=True)


class StandingOut(InstalmentOut):
    id = fields.Integer(attribute="instalment.id")
    due_on = fields.Date(attribute="instalment.due_on")
    amount_fen = fields.Integer(attribute="instalment.amount_fen")
    income_id = fields.Integer(attribute="instalment.income_id", allow_none=True)
    state = fields.String(
        metadata={
            "description": "paid (income confirmed), waiting (income recorded, not yet "
            "confirmed), overdue (nothing recorded, the day passed), due (still to come)"
        }
    )


class ContractOut(Schema):
    id = fields.Integer(attribute="contract.id")
    asset_id = fields.Integer(attribute="contract.asset_id", allow_none=True)
    asset_name = fields.String(allow_none=True)
    counterparty = fields.String(attribute="contract.counterparty")
    kind = fields.String(attribute="contract.kind")
    price_fen = fields.Integer(attribute="contract.price_fen")
    cycle = fields.String(attribute="contract.cycle")
    start_on = fields.Date(attribute="contract.start_on")
    end_on = fields.Date(attribute="contract.end_on")
    note = fields.String(attribute="contract.note", allow_none=True)
    ended = fields.Function(lambda v: v.contract.ended_at is not None, metadata={"type": "boolean"})
    ended_at = LocalDateTime(attribute="contract.ended_at", allow_none=True)
    next_due = fields.Nested(InstalmentOut, allow_none=True)
    overdue = fields.List(fields.Nested(InstalmentOut))
    overdue_fen = fields.Integer()
    paid_count = fields.Integer()
    paid_fen = fields.Integer()
    waiting_count = fields.Integer()
    instalment_count = fields.Function(lambda v: len(v.standings), metadata={"type": "integer"})
    scan = fields.List(fields.Integer(), metadata={"description": "upload ids"})


class ContractDetailOut(ContractOut):
    instalments = fields.List(fields.Nested(StandingOut), attribute="standings")


class ContractListOut(Schema):
    items = fields.List(fields.Nested(ContractOut))


class EndContractIn(Schema):
    reason = Text(200, required=True, metadata={"description": "written on the contract"})


class IncomeIn(Schema):
    kind = fields.String(required=True, validate=validators.OneOf(INCOME_KINDS))
    amount_fen = fields.Integer(**MONEY)
    received_on = Day(back=None, ahead=366, required=True)
    method = fields.String(required=True, validate=validators.OneOf(INCOME_METHODS))
    contract_id = Int(allow_none=True)
    instalment_id = Int(
        allow_none=True,
        metadata={"description": "the contract's instalment it pays (default: the oldest open)"},
    )
    payer = Text(100, allow_none=True, metadata={"description": "without a contract"})
    note = Text(200, allow_none=True)
    receipt = Int(allow_none=True, metadata={"description": "an upload id: the recorder's own"})


class IncomeCreatedOut(Schema):
    id = fields.Integer()
    status = fields.String()


class IncomeOut(Schema):
    id = fields.Integer(attribute="income.id")
    kind = fields.String(attribute="income.kind")
    amount_fen = fields.Integer(attribute="income.amount_fen")
    received_on = fields.Date(attribute="income.received_on")
    method = fields.String(attribute="income.method")
    fund = fields.String(attribute="income.fund")
    contract_id = fields.Integer(attribute="income.contract_id", allow_none=True)
    payer = fields.String(attribute="income.payer", allow_none=True)
    note = fields.String(attribute="income.note", allow_none=True)
    instalment = fields.Nested(InstalmentOut, allow_none=True)
    status = fields.String(attribute="income.status")
    recorded_by = fields.String()
    recorded_by_id = fields.Integer(attribute="income.recorded_by_id")
    mine = fields.Boolean(metadata={"description": "recorded by the caller: not theirs to decide"})
    decided_by = fields.String(allow_none=True)
    decided_at = LocalDateTime(attribute="income.decided_at", allow_none=True)
    reason = fields.String(attribute="income.reason", allow_none=True)
    receipt = fields.List(fields.Integer(), metadata={"description": "upload ids"})
    created_at = LocalDateTime(attribute="income.created_at")


class IncomeListOut(Schema):
    items = fields.List(fields.Nested(IncomeOut))


class IncomeQuery(Schema):
    status = fields.String(validate=validators.OneOf(INCOME_STATUSES))


class RejectIncomeIn(Schema):
    reason = Text(200, required=True, metadata={"description": "the recorder reads it"})
