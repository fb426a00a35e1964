"""Schemas for signing a computer into the committee's desk from the phone."""

from __future__ import annotations

from apiflask import Schema, fields

from server.api.schemas.fields import Chars, Int, LocalDateTime


class ConsoleScanIn(Schema):
    ticket = fields.String(
        required=True,
        validate=Chars(1, 200),
        metadata={"description": "what wx.scanCode read: `linli-console:<ticket>`"},
    )


class ConsoleConfirmIn(ConsoleScanIn):
    compound = Int(
        metadata={"description": "the compound to sign in for; may be left out with one"}
    )


class ConsoleCompoundOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(metadata={"description": "committee, supervisor or admin"})


class ConsoleCompoundNameOut(Schema):
    id = fields.Integer()
    name = fields.String()


class ConsoleScanOut(Schema):
    browser = fields.String(metadata={"description": '"Chrome · Windows"'})
    expires_at = LocalDateTime()
    compounds = fields.List(fields.Nested(ConsoleCompoundOut))


class ConsoleConfirmOut(Schema):
    browser = fields.String()
    compound = fields.Nested(ConsoleCompoundOut)


class ConsoleSessionOut(Schema):
    id = fields.Integer()
    browser = fields.String()
    compound = fields.Nested(ConsoleCompoundNameOut)
    signed_in_at = LocalDateTime()
    last_seen_at = LocalDateTime()


class ConsoleSessionListOut(Schema):
    items = fields.List(fields.Nested(ConsoleSessionOut))


class ConsoleSignedOutOut(Schema):
    signed_out = fields.Integer(metadata={"description": "how many computers were signed out"})
