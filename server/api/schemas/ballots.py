"""Schemas for ballots, paper ballots, the vote roll, closing, results and the audit
list of owners' decisions (issue 12)."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import DecimalString, Int, LocalDateTime, QueryInt, Text
from server.models.decisions import BALLOT_STATUSES

CHOICE = validators.Regexp(r"^[a-z0-9_]{1,16}\Z", error="没有这个选项，请重新选择")
AREA = {"metadata": {"description": 'square metres as a decimal string, "85.30"'}}


class BallotIn(Schema):
    household_id = Int(required=True)
    choice = fields.String(required=True, validate=CHOICE)


class BallotOut(Schema):
    receipt = fields.String(metadata={"description": "10 characters; find it in the result"})
    household_id = fields.Integer()
    choice = fields.String()
    replaced = fields.Boolean(metadata={"description": "an earlier ballot of the flat replaced"})
    changeable_until = LocalDateTime()


class BallotPaperIn(Schema):
    household_id = Int(required=True)
    choice = fields.String(required=True, validate=CHOICE)
    photo = Int(required=True, metadata={"description": "upload id of the signed paper"})
    proxy = fields.Boolean(load_default=False, metadata={"description": "a written proxy"})


class BallotPaperOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    household_label = fields.String()
    choice = fields.String()
    choice_label = fields.String()
    channel = fields.String(metadata={"description": "paper or proxy"})
    status = fields.String(metadata={"description": "pending, counted, replaced, rejected"})
    recorded_by = fields.String()
    recorded_at = LocalDateTime()
    photo = fields.Integer(allow_none=True)
    mine = fields.Boolean(metadata={"description": "recorded by the caller"})


class BallotPaperListOut(Schema):
    items = fields.List(fields.Nested(BallotPaperOut))


class BallotPaperDecidedOut(BallotPaperOut):
    receipt = fields.String(
        allow_none=True,
        metadata={"description": "once counted, and only to the flat's own owners (told it)"},
    )


class BallotPaperQuery(Schema):
    status = fields.String(validate=validators.OneOf(BALLOT_STATUSES))


class BallotRejectIn(Schema):
    reason = Text(200, required=True)


class BallotRollQuery(Schema):
    unit_id = QueryInt()


class BallotRollLineOut(Schema):
    household_id = fields.Integer()
    label = fields.String()
    area_m2 = DecimalString(**AREA)
    voted = fields.Boolean()
    pending_paper = fields.Boolean()


class BallotRollOut(Schema):
    items = fields.List(fields.Nested(BallotRollLineOut))


class ResultOptionOut(Schema):
    choice = fields.String()
    label = fields.String()
    area_m2 = fields.String(**AREA)
    heads = fields.Integer()
    meets_rule = fields.Boolean()


class ResultThresholdsOut(Schema):
    quorum = fields.String(metadata={"description": '"2/3" of all area and of all heads'})
    pass_ = fields.String(data_key="pass", attribute="pass")
    pass_strictly_more = fields.Boolean()


class ResultSummaryOut(Schema):
    eligible_area_m2 = fields.String(**AREA)
    eligible_heads = fields.Integer()
    participating_area_m2 = fields.String(**AREA)
    participating_heads = fields.Integer()
    options = fields.List(fields.Nested(ResultOptionOut))
    quorum_met = fields.Boolean()
    quorum_area_met = fields.Boolean()
    quorum_heads_met = fields.Boolean()
    passed = fields.Boolean()
    winner = fields.String(allow_none=True)
    rule = fields.String()
    rule_label = fields.String()
    thresholds = fields.Nested(ResultThresholdsOut)
    uncounted_paper = fields.Integer(metadata={"description": "paper ballots left pending"})
    effect_note = fields.String(allow_none=True)


class ResultBallotOut(Schema):
    receipt = fields.String()
    area_m2 = fields.String(**AREA)
    choice = fields.String()
    head = fields.Boolean(
        metadata={
            "description": "carries its owner's head: one per owner (the latest ballot of an "
            "owner of several flats), so an option's heads are its ballots with head"
        }
    )


class ResultOut(ResultSummaryOut):
    ballots = fields.List(fields.Nested(ResultBallotOut))
    my_receipts = fields.List(fields.String())


class ResultClosedOut(Schema):
    id = fields.Integer()
    status = fields.String()
    passed = fields.Boolean()
    result = fields.Nested(ResultSummaryOut)


class BallotAuditQuery(Schema):
    format = fields.String(validate=validators.OneOf(("json", "xlsx")), load_default="json")


class BallotAuditLineOut(Schema):
    household_id = fields.Integer()
    household_label = fields.String()
    area_m2 = DecimalString(**AREA)
    choice = fields.String(allow_none=True, metadata={"description": "null while voting"})
    choice_label = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    recorded_by = fields.String()
    confirmed_by = fields.String(allow_none=True)
    cast_at = LocalDateTime()
    counted_at = LocalDateTime(allow_none=True)
    receipt = fields.String(allow_none=True, metadata={"description": "null while voting"})


class BallotAuditOut(Schema):
    items = fields.List(fields.Nested(BallotAuditLineOut))
