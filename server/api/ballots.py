"""Owners' decisions once voting opens: ballots in the app, paper ballots recorded and
confirmed by volunteers, the roll walked door to door, closing, the result any owner
can re-count, and the audit list for the supervisor (issue 12)."""

from dataclasses import asdict

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.ballots import (
    BallotAuditOut,
    BallotAuditQuery,
    BallotIn,
    BallotOut,
    BallotPaperDecidedOut,
    BallotPaperIn,
    BallotPaperListOut,
    BallotPaperOut,
    BallotPaperQuery,
    BallotRejectIn,
    BallotRollOut,
    BallotRollQuery,
    ResultClosedOut,
    ResultOut,
)
from server.api.security import auth, principal
from server.services.decisions import (
    audit_list,
    ballots,
    closing,
    paper_ballots,
    results,
    roll_view,
)

bp = APIBlueprint("ballots", __name__, url_prefix="/api/v1", tag="Owners' decisions")

PROPOSAL = "/proposals/<int:proposal_id>"
PAPER = "/paper-ballots/<int:ballot_id>"


@bp.post(f"{PROPOSAL}/ballots")
@bp.auth_required(auth)
@bp.input(BallotIn, arg_name="body")
@bp.output(BallotOut)
@bp.doc(
    summary="Vote for a flat the caller owns; voting again before close replaces the ballot",
    description="The response's `receipt` is the caller's to find in the published result.",
    responses={
        400: "choice_invalid or validation_error",
        403: "owners_only (tenants and family members do not vote)",
        404: "proposal_not_found",
        409: "voting_closed, not_on_roll, ballot_conflict or compound_archived",
    },
)
def cast(proposal_id, body):
    return asdict(ballots.cast(principal(), proposal_id, body["household_id"], body["choice"]))


@bp.post(f"{PROPOSAL}/paper-ballots")
@bp.auth_required(auth)
@bp.input(BallotPaperIn, arg_name="body")
@bp.output(BallotPaperOut, status_code=201)
@bp.doc(
    summary="Record a paper ballot or written proxy with its photo (the flat's liaison, "
    "building lead or committee): it counts once another volunteer confirms it",
    responses={
        400: "choice_invalid, photo_invalid or validation_error",
        403: "volunteers_only or owners_only",
        404: "proposal_not_found or household_not_found",
        409: "voting_closed, not_on_roll or compound_archived",
    },
)
def record_paper(proposal_id, body):
    return paper_ballots.record(
        principal(),
        proposal_id,
        body["household_id"],
        body["choice"],
        body["photo"],
        body["proxy"],
    )


@bp.get(f"{PROPOSAL}/paper-ballots")
@bp.auth_required(auth)
@bp.input(BallotPaperQuery, location="query", arg_name="query")
@bp.output(BallotPaperListOut)
@bp.doc(
    summary="Paper ballots waiting for a second volunteer, and the caller's own recordings "
    "(volunteers; the committee sees all)",
    responses={403: "volunteers_only or owners_only", 404: "proposal_not_found"},
)
def list_paper(proposal_id, query):
    return {"items": paper_ballots.listing(principal(), proposal_id, query.get("status"))}


@bp.post(f"{PAPER}/confirm")
@bp.auth_required(auth)
@bp.output(BallotPaperDecidedOut)
@bp.doc(
    summary="Confirm a paper ballot (a volunteer other than its recorder): it becomes the "
    "flat's counted ballot and the flat's owners are told its receipt",
    responses={
        403: "volunteers_only, same_person or owners_only",
        404: "paper_ballot_not_found",
        409: "ballot_state, voting_closed, ballot_conflict, compound_archived, or "
        "newer_ballot (the owner voted in the app since, or a later paper of the flat counts: "
        "this paper is set aside)",
    },
)
def confirm_paper(ballot_id):
    return paper_ballots.confirm(principal(), ballot_id)


@bp.post(f"{PAPER}/reject")
@bp.auth_required(auth)
@bp.input(BallotRejectIn, arg_name="body")
@bp.output(BallotPaperDecidedOut)
@bp.doc(
    summary="Refuse a paper ballot with a reason (a volunteer other than its recorder)",
    responses={
        400: "validation_error",
        403: "volunteers_only, same_person or owners_only",
        404: "paper_ballot_not_found",
        409: "ballot_state or compound_archived",
    },
)
def reject_paper(ballot_id, body):
    return paper_ballots.reject(principal(), ballot_id, body["reason"])


@bp.get(f"{PROPOSAL}/roll")
@bp.auth_required(auth)
@bp.input(BallotRollQuery, location="query", arg_name="query")
@bp.output(BallotRollOut)
@bp.doc(
    summary="The vote roll of the caller's units: who has voted, whose paper ballot waits "
    "— never a choice (volunteers; the committee sees every unit)",
    responses={403: "volunteers_only or owners_only", 404: "proposal_not_found"},
)
def roll(proposal_id, query):
    return {"items": roll_view.roll_of(principal(), proposal_id, query.get("unit_id"))}


@bp.post(f"{PROPOSAL}/close")
@bp.auth_required(auth)
@bp.output(ResultClosedOut)
@bp.doc(
    summary="Close the vote once its time has come (committee; the job does it otherwise): "
    "count, store, apply what a passed proposal changes, tell every member",
    responses={
        403: "committee_only",
        404: "proposal_not_found",
        409: "voting_open, proposal_state or compound_archived",
    },
)
def close(proposal_id):
    proposal = closing.close(principal(), proposal_id)
    return {
        "id": proposal.id,
        "status": proposal.status,
        "passed": proposal.passed,
        "result": results.summary(proposal),
    }


@bp.get(f"{PROPOSAL}/result")
@bp.auth_required(auth)
@bp.output(ResultOut)
@bp.doc(
    summary="The result: figures, both quorums, the rule, and every counted ballot as "
    "(receipt, area, choice) sorted by receipt; `my_receipts` are the caller's own",
    responses={
        403: "owners_only",
        404: "proposal_not_found",
        409: "result_not_ready",
    },
)
def result(proposal_id):
    return results.result(principal(), proposal_id)


@bp.get(f"{PROPOSAL}/audit")
@bp.auth_required(auth)
@bp.input(BallotAuditQuery, location="query", arg_name="query")
@bp.output(BallotAuditOut)
@bp.doc(
    summary="The audit list: every counted ballot with its flat (supervisor, committee; "
    "access-logged); `?format=xlsx` as Excel",
    responses={
        200: {"description": "JSON, or an .xlsx workbook", **XLSX_RESPONSE},
        403: "supervisor_or_committee or owners_only",
        404: "proposal_not_found",
        409: "proposal_state",
    },
)
def audit(proposal_id, query):
    if query["format"] == "xlsx":
        data, number = audit_list.audit_xlsx(principal(), proposal_id)
        return xlsx_download(data, f"ballots-{number}.xlsx")
    _proposal, lines = audit_list.audit(principal(), proposal_id)
    return {"items": lines}
