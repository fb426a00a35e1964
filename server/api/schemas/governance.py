"""Schemas for appointing people: role invites, the people list, revoking, terms and
the audit log."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Chars, Day, Int, LocalDateTime, Name, Text
from server.models.governance import INVITE_ROLES
from server.services.governance.people import PAGE as PEOPLE_PAGE
from server.services.governance.people import PAGE_MAX as PEOPLE_PAGE_MAX

UNIT = validators.Regexp(r"^[0-9]{1,3}-[0-9]{1,2}\Z", error="单元格式应为 楼-单元，如 1-2")
TERM_AHEAD = 10 * 366  # a term end further than ten years ahead is a typo


class RoleInviteIn(Schema):
    role = fields.String(
        required=True,
        validate=Chars(1, 20),
        metadata={"description": "committee, liaison, building_lead or supervisor"},
    )
    unit = fields.String(validate=UNIT, metadata={"description": 'liaison: "1-2"'})
    building = Int(validate=validators.Range(1, 999), metadata={"description": "building_lead"})
    name = Name(32, metadata={"description": "whom the invite is for (shown until redeemed)"})
    term_end = Day(
        back=0,
        ahead=TERM_AHEAD,
        metadata={"description": "committee: the term's last day; default 5 years from today"},
    )


class RoleInviteOut(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.String()
    scope_label = fields.String(metadata={"description": '"1号楼2单元", "1号楼" or "小区"'})
    title = fields.String(metadata={"description": '"1号楼2单元联络人"'})
    name = fields.String(allow_none=True)
    term_end = fields.Date(allow_none=True)
    created_at = LocalDateTime()
    expires_at = LocalDateTime()
    created_by = fields.String(allow_none=True)


class IssuedRoleInviteOut(RoleInviteOut):
    code = fields.String(metadata={"description": "one-time code, shown only now"})
    qr = fields.String(metadata={"description": 'data:image/png;base64 QR of "linli-role:CODE"'})


class OpenRoleInviteOut(RoleInviteOut):
    """An invite in the list (its own class: the document registers a schema both
    returned alone and nested in a list twice, and refuses that)."""


class RoleInviteListOut(Schema):
    items = fields.List(fields.Nested(OpenRoleInviteOut))


class RoleRedeemIn(Schema):
    code = fields.String(required=True, validate=Chars(4, 40))


class CompoundRefOut(Schema):
    code = fields.String()
    name = fields.String()


class AppointedOut(Schema):
    role = fields.String()
    role_label = fields.String()
    scope_label = fields.String()
    title = fields.String()
    compound = fields.Nested(CompoundRefOut)


class PeopleQuery(Schema):
    role = fields.String(validate=validators.OneOf(INVITE_ROLES))
    cursor = fields.String(
        validate=validators.Regexp(r"^[0-9]{1,6}\Z", error="翻页参数不对，请从第一页重新查看"),
        metadata={"description": "the previous page's next_cursor"},
    )
    limit = fields.Integer(
        strict=False,
        validate=validators.Range(1, PEOPLE_PAGE_MAX),
        load_default=PEOPLE_PAGE,
        metadata={"description": f"people per page (default {PEOPLE_PAGE})"},
    )


class PersonOut(Schema):
    membership_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    role = fields.String()
    role_label = fields.String()
    scope_label = fields.String()
    title = fields.String()
    since = LocalDateTime()
    term_start = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True)
    due_for_reelection = fields.Boolean(
        metadata={"description": "a committee term ending within 90 days, or ended"}
    )
    reachable = fields.Boolean(metadata={"description": "a WeChat push reaches them now"})
    channel = fields.String(
        metadata={"description": "official_account, subscribe, inbox or disabled"}
    )
    phone = fields.String(allow_none=True, metadata={"description": "shared phone, masked"})


class ListedPersonOut(PersonOut):
    """A person in the list (its own class, as OpenRoleInviteOut)."""


class PeopleListOut(Schema):
    items = fields.List(fields.Nested(ListedPersonOut), metadata={"description": "this page"})
    total = fields.Integer(metadata={"description": "people in the whole list"})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "role → how many hold it (the whole list)"},
    )
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "the next page's cursor; null on the last"}
    )
    open_invites = fields.Integer()
    committee_due = fields.Integer(
        metadata={"description": "committee members due for re-election"}
    )


class RevokeMembershipIn(Schema):
    reason = Text(200, min_length=0, load_default="", metadata={"description": "required"})


class TermIn(Schema):
    term_start = Day(back=10 * 366, ahead=366, required=True)
    term_end = Day(back=10 * 366, ahead=TERM_AHEAD, required=True)


class AuditQuery(Schema):
    cursor = fields.String(validate=Chars(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 100), load_default=30)


class AuditLineOut(Schema):
    id = fields.Integer()
    at = LocalDateTime()
    action = fields.String()
    action_label = fields.String()
    actor = fields.String()
    role = fields.String(allow_none=True)
    role_label = fields.String(allow_none=True)
    summary = fields.String()


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditLineOut))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "?cursor= for the next page; null: no more"}
    )
