"""Schemas for personal information: consent notices, the access log, a household's
own data (who viewed it, its download) and its erasure."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Chars, Day, DecimalString, Int, LocalDateTime, QueryInt

CURSOR = {"description": "?cursor= for the next page; null: no more"}

# ----- consent notices -----


class ConsentNoticeOut(Schema):
    kind = fields.String(metadata={"description": "binding or census"})
    version = fields.Integer()
    title = fields.String()
    text = fields.String(metadata={"description": "the notice, to read (aloud) before agreeing"})


# ----- the access log -----


class AccessLogQuery(Schema):
    start = Day(back=None, ahead=1, data_key="from", metadata={"description": "first day"})
    end = Day(back=None, ahead=1, data_key="to", metadata={"description": "last day, included"})
    household_id = QueryInt(metadata={"description": "only the entries about this flat"})
    cursor = fields.String(validate=Chars(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 100), load_default=30)


class AccessLogExportQuery(Schema):
    start = Day(back=None, ahead=1, data_key="from")
    end = Day(back=None, ahead=1, data_key="to")
    household_id = QueryInt()


class ActorOut(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": "as the roster knows them"})
    role = fields.String(
        allow_none=True, metadata={"description": "their furthest-reaching role now"}
    )
    role_label = fields.String(allow_none=True)


class AccessLineOut(Schema):
    id = fields.Integer()
    at = LocalDateTime()
    actor = fields.Nested(ActorOut)
    action = fields.String(metadata={"description": "view_phone, view_tags, export_census, ..."})
    action_label = fields.String()
    subject_type = fields.String()
    household = fields.String(allow_none=True, metadata={"description": '"1-1-101" or null'})
    reason = fields.String(allow_none=True)


class AccessLogOut(Schema):
    items = fields.List(fields.Nested(AccessLineOut))
    next_cursor = fields.String(allow_none=True, metadata=CURSOR)


# ----- my household -----


class OwnHouseholdQuery(Schema):
    household_id = QueryInt(required=True)


class HouseholdDataQuery(OwnHouseholdQuery):
    format = fields.String(validate=validators.OneOf(("json", "xlsx")), load_default="json")


class HouseholdViewsQuery(OwnHouseholdQuery):
    cursor = fields.String(validate=Chars(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 100), load_default=50)


class ViewOut(Schema):
    at = LocalDateTime()
    who = fields.String(metadata={"description": 'role and masked name, e.g. "单元联络人 张*"'})
    action = fields.String()
    action_label = fields.String()
    reason = fields.String(allow_none=True)


class ViewsOut(Schema):
    items = fields.List(fields.Nested(ViewOut))
    next_cursor = fields.String(allow_none=True, metadata=CURSOR)


class DataHouseholdOut(Schema):
    id = fields.Integer()
    label = fields.String()
    compound = fields.String()
    compound_name = fields.String()
    area_m2 = DecimalString()
    area = DecimalString(metadata={"description": "the same as area_m2"})


class DataMemberOut(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    relation = fields.String()
    age_band = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "in full"})
    phone_masked = fields.String(allow_none=True)
    uses_wechat = fields.Boolean()
    bound = fields.Boolean(metadata={"description": "has an app account"})
    moved_out_at = LocalDateTime(allow_none=True)


class DataCensusOut(Schema):
    occupancy = fields.String(allow_none=True)
    confirmed_at = LocalDateTime(allow_none=True)
    confirmed_by = fields.String(allow_none=True)
    moved_out_at = LocalDateTime(allow_none=True)


class DataVisitOut(Schema):
    id = fields.Integer()
    tag = fields.String()
    due_on = fields.Date()
    status = fields.String()
    visited_on = fields.Date(allow_none=True)
    method = fields.String(allow_none=True)
    how = fields.String(allow_none=True)
    concern = fields.Boolean()
    note = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)


class DataItemOut(Schema):
    item = fields.String()
    ok = fields.Boolean()
    note = fields.String(allow_none=True)


class DataCampaignResultOut(Schema):
    campaign_id = fields.Integer()
    campaign = fields.String()
    type = fields.String()
    items = fields.List(fields.Nested(DataItemOut))
    note = fields.String(allow_none=True)
    needs_action = fields.Boolean()
    issue_id = fields.Integer(allow_none=True)
    recorded_at = LocalDateTime()


class ConsentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    version = fields.Integer()
    title = fields.String()
    method = fields.String(metadata={"description": "app, or doorstep (recorded by a volunteer)"})
    given_at = LocalDateTime()
    withdrawn_at = LocalDateTime(allow_none=True)


class DataBindingOut(Schema):
    name = fields.String(allow_none=True)
    relation = fields.String(allow_none=True)
    since = LocalDateTime()


class DataIssueOut(Schema):
    id = fields.Integer()
    category = fields.String()
    title = fields.String()
    description = fields.String()
    status = fields.String()
    created_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)


class DataBillOut(Schema):
    id = fields.Integer()
    period = fields.String()
    item = fields.String()
    amount_fen = fields.Integer()
    status = fields.String()
    paid_at = LocalDateTime(allow_none=True)


class HouseholdDataOut(Schema):
    household = fields.Nested(DataHouseholdOut)
    members = fields.List(fields.Nested(DataMemberOut))
    tags = fields.List(fields.String())
    census = fields.Nested(DataCensusOut)
    visits = fields.List(fields.Nested(DataVisitOut))
    campaign_results = fields.List(fields.Nested(DataCampaignResultOut))
    consents = fields.List(fields.Nested(ConsentOut))
    bindings = fields.List(fields.Nested(DataBindingOut))
    issues = fields.List(fields.Nested(DataIssueOut))
    bills = fields.List(fields.Nested(DataBillOut))
    viewed_by = fields.List(fields.Nested(ViewOut))


class ErasureIn(Schema):
    household_id = Int(required=True)
    confirm = fields.Boolean(
        required=True, metadata={"description": "must be true: the resident confirmed"}
    )


class ErasedOut(Schema):
    household_id = fields.Integer()
    members_erased = fields.Integer()
    tags_removed = fields.Integer()
    visit_cancelled = fields.Boolean()
    consents_withdrawn = fields.Integer()
