"""Appointing people: role invites (the committee, or the street office for a first
committee), the people list, revoking a role, committee terms and the audit log."""

from apiflask import APIBlueprint

from server.api.schemas.governance import (
    AppointedOut,
    AuditPageOut,
    AuditQuery,
    IssuedRoleInviteOut,
    PeopleListOut,
    PeopleQuery,
    PersonOut,
    RevokeMembershipIn,
    RoleInviteIn,
    RoleInviteListOut,
    RoleInviteOut,
    RoleRedeemIn,
    TermIn,
)
from server.api.security import auth, principal
from server.services.governance import appointments, audit_log, people, role_invites

bp = APIBlueprint("people", __name__, url_prefix="/api/v1", tag="People")

COMPOUND = "/compounds/<string(maxlength=32):code>"
ACCESS = {403: "committee_only", 404: "compound_not_found"}


@bp.post(f"{COMPOUND}/role-invites")
@bp.auth_required(auth)
@bp.input(RoleInviteIn, arg_name="body")
@bp.output(IssuedRoleInviteOut, status_code=201)
@bp.doc(
    summary="A one-time code appointing its redeemer to a role (committee, or the platform "
    "admin for any compound)",
    description='liaison: `unit` "1-2"; building_lead: `building`; committee and supervisor: '
    "neither. The code and its QR are shown only in this answer.",
    responses={
        400: "unknown_role, role_scope_mismatch, unit_not_found, building_not_found, no_term "
        "or bad_term",
        **ACCESS,
        409: "compound_archived",
    },
)
def create_invite(code, body):
    return role_invites.create(principal(), code, body.pop("role"), **body)


@bp.get(f"{COMPOUND}/role-invites")
@bp.auth_required(auth)
@bp.output(RoleInviteListOut)
@bp.doc(summary="Invites not yet used, revoked or expired (no codes)", responses=ACCESS)
def list_invites(code):
    return {"items": role_invites.list_open(principal(), code)}


@bp.post(f"{COMPOUND}/role-invites/<int:invite_id>/revoke")
@bp.auth_required(auth)
@bp.output(RoleInviteOut)
@bp.doc(
    summary="Void an unused invite (again changes nothing)",
    responses={
        403: "committee_only",
        404: "compound_not_found or invite_not_found",
        409: "invite_used or compound_archived",
    },
)
def revoke_invite(code, invite_id):
    return role_invites.revoke(principal(), code, invite_id)


@bp.post("/role-invites/redeem")
@bp.auth_required(auth)
@bp.input(RoleRedeemIn, arg_name="body")
@bp.output(AppointedOut)
@bp.doc(
    summary="Take up the role of an invite code (anyone signed in)",
    responses={
        403: "own_invite",
        404: "invite_not_found",
        409: "invite_used, invite_expired, invite_revoked (also when its maker has left the "
        "committee), role_held or compound_archived",
        429: "too_many_requests: too many tries",
    },
)
def redeem(body):
    return appointments.redeem(principal(), body["code"])


@bp.get(f"{COMPOUND}/people")
@bp.auth_required(auth)
@bp.input(PeopleQuery, location="query", arg_name="query")
@bp.output(PeopleListOut)
@bp.doc(
    summary="Every role holder but residents, a page at a time (committee, supervisor, "
    "platform admin; the read is access-logged)",
    responses=ACCESS,
)
def list_people(code, query):
    return people.list_people(
        principal(), code, query.get("role"), cursor=query.get("cursor"), limit=query["limit"]
    )


@bp.post(f"{COMPOUND}/memberships/<int:membership_id>/revoke")
@bp.auth_required(auth)
@bp.input(RevokeMembershipIn, arg_name="body")
@bp.output(PersonOut)
@bp.doc(
    summary="Take a role away, with a reason (committee, platform admin); a liaison's "
    "open issues of the unit move on",
    responses={
        400: "reason_required",
        403: "committee_only",
        404: "compound_not_found or membership_not_found",
        409: "last_committee (an archived compound allows revoking: access is taken away)",
    },
)
def revoke_membership(code, membership_id, body):
    return people.revoke(principal(), code, membership_id, body.get("reason"))


@bp.patch(f"{COMPOUND}/memberships/<int:membership_id>/term")
@bp.auth_required(auth)
@bp.input(TermIn, arg_name="body")
@bp.output(PersonOut)
@bp.doc(
    summary="Set another committee member's term (committee, platform admin)",
    responses={
        400: "no_term (not a committee member) or bad_term (end not after start, or past)",
        403: "committee_only, or same_person (one's own term)",
        404: "compound_not_found or membership_not_found",
        409: "compound_archived",
    },
)
def set_term(code, membership_id, body):
    return people.set_term(principal(), code, membership_id, body["term_start"], body["term_end"])


@bp.get(f"{COMPOUND}/audit-log")
@bp.auth_required(auth)
@bp.input(AuditQuery, location="query", arg_name="query")
@bp.output(AuditPageOut)
@bp.doc(
    summary="Appointments, revocations, invites, terms and handovers, newest first "
    "(committee, supervisor, platform admin)",
    responses={400: "bad_cursor", **ACCESS},
)
def audit(code, query):
    return audit_log.read(principal(), code, query.get("cursor"), query["limit"])
