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


class CompoundAdminListOut(Schema):
    items = fields.List(fields.Nested(CompoundAdminOut))
