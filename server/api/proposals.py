"""Owners' decisions (Civil Code art. 278), the proposal's side: drafted by the
committee, on public notice with comments and revisions, then opened for the vote."""

from apiflask import APIBlueprint

from server.api.schemas.proposals import (
    ProposalChangeIn,
    ProposalCommentIn,
    ProposalCommentListOut,
    ProposalCommentOut,
    ProposalCommentQuery,
    ProposalIn,
    ProposalListOut,
    ProposalOpenIn,
    ProposalOut,
    ProposalPublishIn,
    ProposalQuery,
    ProposalWithdrawIn,
)
from server.api.security import auth, principal
from server.services.decisions import comments, notice, opening, proposals, views

bp = APIBlueprint("proposals", __name__, url_prefix="/api/v1", tag="Owners' decisions")

COMPOUND = "/compounds/<string(maxlength=32):code>"
ID = "/proposals/<int:proposal_id>"
READ = {403: "owners_only", 404: "proposal_not_found"}
STEP = {
    403: "committee_only",
    404: "proposal_not_found",
    409: "proposal_state or compound_archived",
}
EFFECT_CODES = (
    "options_invalid, effect_options, fee_item_invalid, rate_invalid, period_invalid, "
    "expense_not_found, expense_not_eligible, expense_taken"
)


def _shown(proposal):
    return views.detail(principal(), proposal.id)


@bp.post(f"{COMPOUND}/proposals")
@bp.auth_required(auth)
@bp.input(ProposalIn, arg_name="body")
@bp.output(ProposalOut, status_code=201)
@bp.doc(
    summary="Draft a proposal for the owners (committee): title, text, the art. 278 matter, "
    "options and what it changes if passed",
    responses={
        400: f"{EFFECT_CODES}, photo_invalid or validation_error",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def draft(code, body):
    return _shown(proposals.draft(principal(), code, body))


@bp.get(f"{COMPOUND}/proposals")
@bp.auth_required(auth)
@bp.input(ProposalQuery, location="query", arg_name="query")
@bp.output(ProposalListOut)
@bp.doc(
    summary="A compound's proposals, newest first (owners, volunteers; drafts only for the "
    "committee and the supervisor)",
    responses={403: "owners_only", 404: "compound_not_found"},
)
def list_proposals(code, query):
    return {"items": views.listing(principal(), code, query.get("status"))}


@bp.get(ID)
@bp.auth_required(auth)
@bp.output(ProposalOut)
@bp.doc(
    summary="One proposal with its versions, what I may do, the turnout (totals only), my "
    "flats and ballots, and the result once closed",
    responses=READ,
)
def show(proposal_id):
    return views.detail(principal(), proposal_id)


@bp.patch(ID)
@bp.auth_required(auth)
@bp.input(ProposalChangeIn, arg_name="body")
@bp.output(ProposalOut)
@bp.doc(
    summary="Revise a draft (in place) or a proposal on notice (a new version with a note; "
    "comments stay with their version; those who commented are told) (committee)",
    responses={400: f"nothing_changed, note_required, {EFFECT_CODES}", **STEP},
)
def revise(proposal_id, body):
    return _shown(proposals.revise(principal(), proposal_id, body))


@bp.post(f"{ID}/publish")
@bp.auth_required(auth)
@bp.input(ProposalPublishIn, arg_name="body")
@bp.output(ProposalOut)
@bp.doc(
    summary="Put a draft on public notice (committee): on the board, pushed and in every "
    "resident's inbox",
    responses={400: f"notice_too_short, notice_too_long, {EFFECT_CODES}", **STEP},
)
def publish(proposal_id, body):
    return _shown(notice.publish(principal(), proposal_id, body.get("notice_days")))


@bp.post(f"{ID}/withdraw")
@bp.auth_required(auth)
@bp.input(ProposalWithdrawIn, arg_name="body")
@bp.output(ProposalOut)
@bp.doc(
    summary="Withdraw a draft or a proposal on notice, with a reason (committee)",
    responses={400: "validation_error", **STEP},
)
def withdraw(proposal_id, body):
    return _shown(proposals.withdraw(principal(), proposal_id, body["reason"]))


@bp.post(f"{ID}/open")
@bp.auth_required(auth)
@bp.input(ProposalOpenIn, arg_name="body")
@bp.output(ProposalOut)
@bp.doc(
    summary="Open the vote once the notice is over (committee): the roll is frozen and the "
    "owners are asked to vote",
    responses={
        400: "closes_at_invalid or validation_error",
        403: "committee_only",
        404: "proposal_not_found",
        409: "notice_not_over, proposal_state, compound_archived or effect_changed (the "
        "expense changed since it was put on notice: revise first)",
    },
)
def open_vote(proposal_id, body):
    return _shown(opening.open_vote(principal(), proposal_id, body["closes_at"]))


@bp.get(f"{ID}/comments")
@bp.auth_required(auth)
@bp.input(ProposalCommentQuery, location="query", arg_name="query")
@bp.output(ProposalCommentListOut)
@bp.doc(
    summary="A proposal's comments, oldest first (whoever may read it)",
    responses={400: "bad_cursor", **READ},
)
def list_comments(proposal_id, query):
    items, next_cursor = comments.listing(
        principal(), proposal_id, version=query.get("version"), cursor=query.get("cursor")
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.post(f"{ID}/comments")
@bp.auth_required(auth)
@bp.input(ProposalCommentIn, arg_name="body")
@bp.output(ProposalCommentOut, status_code=201)
@bp.doc(
    summary="Comment on the current version during notice (owners as 某楼某单元业主, the "
    "committee as 业委会); 10 a minute",
    responses={
        400: "validation_error",
        403: "owners_only",
        404: "proposal_not_found",
        409: "comments_closed or compound_archived",
        429: "too_many_requests",
    },
)
def comment(proposal_id, body):
    return comments.add(principal(), proposal_id, body["body"])
