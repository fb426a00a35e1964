"""Schemas for owners' decisions: drafting, revising, publishing, comments and opening
the vote, and a proposal as its readers see it."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import MONTH, Count, DecimalString, Int, LocalDateTime, Text
from server.models.decisions import EFFECT_KINDS, MATTERS, PROPOSAL_STATUSES

CHOICE = validators.Regexp(r"^[a-z0-9_]{1,16}\Z", error="选项代码格式不对")


class ProposalOptionIn(Schema):
    choice = fields.String(
        validate=CHOICE,
        metadata={"description": "yes, no, abstain; left out for candidates (c1..cN given)"},
    )
    label = Text(50, required=True)


class ProposalEffectIn(Schema):
    kind = fields.String(required=True, validate=validators.OneOf(EFFECT_KINDS))
    item = fields.String(
        validate=validators.Length(1, 32), metadata={"description": "fee_rate: fee item code"}
    )
    rate = DecimalString(
        pattern=r"^[0-9]+(\.[0-9]{1,4})?$",
        metadata={"description": 'fee_rate: yuan per m² a month, "0.40"'},
    )
    from_period = fields.String(validate=MONTH, allow_none=True)
    expense_id = Int(metadata={"description": "expense: a large expense of the compound"})


OPTIONS = dict(validate=Count(2, 20))


class ProposalIn(Schema):
    title = Text(100, required=True)
    body = Text(10000, multiline=True, required=True)
    matter = fields.Integer(
        strict=True,
        required=True,
        validate=validators.OneOf(MATTERS, error="请选择民法典第二百七十八条所列的事项（1-9）"),
    )
    options = fields.List(fields.Nested(ProposalOptionIn), **OPTIONS)
    effect = fields.Nested(ProposalEffectIn, allow_none=True)
    attachments = fields.List(Int(), validate=Count(max=9), load_default=list)


class ProposalChangeIn(Schema):
    title = Text(100)
    body = Text(10000, multiline=True)
    options = fields.List(fields.Nested(ProposalOptionIn), **OPTIONS)
    effect = fields.Nested(ProposalEffectIn, allow_none=True)
    note = Text(200, metadata={"description": "what changed (required during notice)"})


class ProposalPublishIn(Schema):
    notice_days = fields.Integer(
        strict=True,
        validate=validators.Range(1, 366),
        metadata={"description": "default and minimum: the compound's min_notice_days; ≤ 60"},
    )


class ProposalWithdrawIn(Schema):
    reason = Text(200, required=True)


class ProposalOpenIn(Schema):
    closes_at = fields.AwareDateTime(
        required=True, metadata={"description": "24 hours to 90 days ahead, with its offset"}
    )


class ProposalQuery(Schema):
    status = fields.String(validate=validators.OneOf(PROPOSAL_STATUSES))


class ProposalCommentIn(Schema):
    body = Text(500, multiline=True, required=True)


class ProposalCommentQuery(Schema):
    version = fields.Integer(strict=False, validate=validators.Range(1, 10_000))
    cursor = fields.String(validate=validators.Length(max=32))


class ProposalCommentItemOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    body = fields.String()
    author_label = fields.String(metadata={"description": '"3号楼2单元业主" or "业委会"'})
    mine = fields.Boolean()
    created_at = LocalDateTime()


class ProposalCommentOut(ProposalCommentItemOut):
    """One comment, as made (the list nests its items separately for the document)."""


class ProposalCommentListOut(Schema):
    items = fields.List(fields.Nested(ProposalCommentItemOut))
    next_cursor = fields.String(allow_none=True)


class ProposalSummaryOut(Schema):
    id = fields.Integer()
    title = fields.String()
    matter = fields.Integer()
    matter_label = fields.String()
    status = fields.String(metadata={"description": "draft, notice, voting, closed, withdrawn"})
    status_label = fields.String()
    version = fields.Integer()
    published_at = LocalDateTime(allow_none=True)
    notice_ends_at = LocalDateTime(allow_none=True)
    closes_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    comment_count = fields.Integer()
    my_vote_needed = fields.Boolean(
        metadata={"description": "one of my flats on the roll has no counted ballot (voting)"}
    )


class ProposalListOut(Schema):
    items = fields.List(fields.Nested(ProposalSummaryOut))


class ProposalOptionOut(Schema):
    choice = fields.String()
    label = fields.String()


class ProposalVersionOut(Schema):
    version = fields.Integer()
    title = fields.String()
    body = fields.String()
    options = fields.List(fields.Nested(ProposalOptionOut))
    effect_text = fields.String()
    note = fields.String(allow_none=True)
    created_at = LocalDateTime()


class ProposalTurnoutOut(Schema):
    eligible_area_m2 = fields.String()
    eligible_heads = fields.Integer()
    participating_area_m2 = fields.String()
    participating_heads = fields.Integer()


class ProposalBallotOut(Schema):
    choice = fields.String()
    choice_label = fields.String()
    receipt = fields.String(allow_none=True)
    channel = fields.String()
    status = fields.String()
    cast_at = LocalDateTime()


class ProposalHouseholdOut(Schema):
    household_id = fields.Integer()
    label = fields.String(metadata={"description": '"3-2-301"'})
    area_m2 = fields.String()
    on_roll = fields.Boolean()
    ballot = fields.Nested(ProposalBallotOut, allow_none=True)


class ProposalOut(ProposalSummaryOut):
    compound = fields.String()
    body = fields.String()
    rule = fields.String(metadata={"description": "majority or three_quarters"})
    rule_label = fields.String()
    options = fields.List(fields.Nested(ProposalOptionOut))
    effect = fields.Dict(metadata={"description": '{"kind": "none" | "fee_rate" | "expense"…}'})
    effect_text = fields.String()
    attachments = fields.List(fields.Integer(), metadata={"description": "upload ids"})
    versions = fields.List(
        fields.Nested(ProposalVersionOut), metadata={"description": "newest first"}
    )
    actions = fields.List(
        fields.String(),
        metadata={
            "description": "edit, publish, withdraw, open, close, comment, vote, "
            "record_paper, confirm_paper"
        },
    )
    turnout = fields.Nested(ProposalTurnoutOut, allow_none=True)
    my_households = fields.List(fields.Nested(ProposalHouseholdOut))
    changeable_until = LocalDateTime(allow_none=True)
    result = fields.Dict(
        allow_none=True,
        metadata={"description": "closed only: as GET /proposals/{id}/result without ballots"},
    )
    min_notice_days = fields.Integer(
        metadata={"description": "the compound's shortest notice (days): publish's default"}
    )
    withdrawn_at = LocalDateTime(allow_none=True)
    withdraw_reason = fields.String(allow_none=True)
