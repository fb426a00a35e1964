"""Household invite codes: the committee prints them, residents redeem them."""

from apiflask import APIBlueprint

from server.api.schemas.people import InviteIssueIn, InviteListOut, RedeemIn, RedeemOut
from server.api.security import auth, principal
from server.services.people import invites

bp = APIBlueprint("invites", __name__, url_prefix="/api/v1/invites", tag="Invites")


@bp.post("")
@bp.auth_required(auth)
@bp.input(InviteIssueIn, arg_name="body")
@bp.output(InviteListOut, status_code=201)
@bp.doc(
    summary="Issue one code per door (committee); older unused codes stop working",
    description='`compound`, and `building` or `unit` ("1-2") to narrow it.',
    responses={
        400: "too_many_scopes (building and unit)",
        403: "committee_only",
        409: "compound_archived",
    },
)
def issue(body):
    issued = invites.issue(
        principal(), body["compound"], building=body.get("building"), unit=body.get("unit")
    )
    return {"items": issued}


@bp.post("/redeem")
@bp.auth_required(auth)
@bp.input(RedeemIn, arg_name="body")
@bp.output(RedeemOut)
@bp.doc(
    summary="Bind myself to a household with its invite code",
    responses={
        403: "own_invite: a code the caller issued (or another account of the same "
        "WeChat user did)",
        400: "bad_consent_version (no such notice version)",
        404: "invite_invalid: no such code",
        409: "invite_used, invite_expired, already_bound or compound_archived",
        429: "too_many_requests: too many wrong codes",
    },
)
def redeem(body):
    return invites.redeem(
        principal(),
        body["code"],
        name=body["name"],
        relation=body["relation"],
        consent_version=body.get("consent_version"),
    )
