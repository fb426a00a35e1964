"""Schemas for the street office opening and keeping compounds (admin)."""

from __future__ import annotations

from apiflask import Schema, fields

# Lengths and formats are checked by the service, which words the refusal in Chinese.
_TEXT = {"allow_none": True}


class CompoundFieldsIn(Schema):
    name = fields.String(**_TEXT)
    address = fields.String(**_TEXT)
    district = fields.String(**_TEXT, metadata={"description": "区"})
    street = fields.String(**_TEXT, metadata={"description": "街道"})
    contact_name = fields.String(**_TEXT)
    contact_phone = fields.String(**_TEXT)
    pay_merchant = fields.String(
        allow_none=True,
        metadata={
            "description": "the WeChat Pay merchant its new orders go to, by name (GET "
            "/api/v1/compounds lists them); null or empty: the installation's default"
        },
    )


class CompoundCreateIn(CompoundFieldsIn):
    code = fields.String(
        required=True, metadata={"description": "2–32 of a-z, 0-9 and -; never changes"}
    )


class CompoundAdminOut(Schema):
    code = fields.String()
    name = fields.String()
    address = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    archived = fields.Boolean()
    archived_at = fields.DateTime(allow_none=True)
    buildings = fields.Integer(metadata={"description": "how many buildings"})
    households = fields.Integer(metadata={"description": "how many households"})
    pay_merchant = fields.String(
        allow_none=True,
        metadata={"description": "the merchant new orders go to; null: online payment is off"},
    )
    pay_version = fields.String(
        allow_none=True,
        metadata={"description": '"v2" or "v3"; null: that merchant is no longer configured'},
    )
    pay_merchant_is_default = fields.Boolean(
        metadata={"description": "the compound follows the installation's default merchant"}
    )


class PayMerchantOut(Schema):
    name = fields.String()
    version = fields.String(metadata={"description": '"v2" or "v3"'})
    mch_id = fields.String(metadata={"description": "the merchant number (商户号)"})
    default = fields.Boolean(metadata={"description": "compounds without a choice use it"})


class CompoundAdminListOut(Schema):
    items = fields.List(fields.Nested(CompoundAdminOut))
    pay_merchants = fields.List(
        fields.Nested(PayMerchantOut),
        metadata={"description": "the WeChat Pay merchants a compound can be given (no keys)"},
    )
