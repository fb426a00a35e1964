"""Schemas of the inbox, push subscriptions and the messages WeChat refused."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import (
    Count,
    Int,
    LocalDateTime,
    QueryInt,
)
from server.api.schemas.reach import PushStatusOut


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    page = fields.String(allow_none=True)
    issue_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    read = fields.Function(lambda n: n.read_at is not None)


class InboxQuery(Schema):
    before = QueryInt()
    limit = fields.Integer(strict=False, validate=validators.Range(1, 50), load_default=20)


class InboxOut(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    unread = fields.Integer()
    next_before = fields.Integer(allow_none=True)


class MarkReadIn(Schema):
    ids = fields.List(Int(), validate=Count(max=200), allow_none=True)


class MarkReadOut(Schema):
    marked = fields.Integer()


class SubscriptionsIn(Schema):
    accepted = fields.List(
        fields.String(validate=validators.Length(1, 64)),
        required=True,
        validate=Count(max=10),
    )


class SubscriptionsOut(PushStatusOut):
    quotas = fields.Dict(keys=fields.String(), values=fields.Integer())


class FailedMessageOut(Schema):
    id = fields.Integer(attribute="message.id")
    user_id = fields.Integer(attribute="message.user_id")
    recipient = fields.String(allow_none=True, metadata={"description": "their nickname"})
    channel = fields.String(attribute="message.channel")
    template = fields.String(attribute="message.template")
    attempts = fields.Integer(attribute="message.attempts")
    last_error = fields.String(attribute="message.last_error", allow_none=True)
    created_at = LocalDateTime(attribute="message.created_at")
    issue_page = fields.Function(lambda f: (f.message.payload or {}).get("page"))


class FailedMessageListOut(Schema):
    items = fields.List(fields.Nested(FailedMessageOut))
