"""Binding requests: a resident asks, a liaison or the committee decides."""

from apiflask import APIBlueprint
from flask import current_app

from server.api.schemas.people import BindingIn, BindingListOut, BindingOut, BindingQuery, RejectIn
from server.api.security import auth, caller_key, principal
from server.extensions import limiter
from server.services.people import bindings

bp = APIBlueprint("bindings", __name__, url_prefix="/api/v1/bindings", tag="Bindings")


@bp.post("")
@limiter.limit(lambda: current_app.config["BINDING_RATE"], key_func=caller_key)
@bp.auth_required(auth)
@bp.input(BindingIn, arg_name="body")
@bp.output(BindingOut, status_code=201)
@bp.doc(
    summary="Ask to be bound to a household, agreeing to the binding notice (a consent "
    "record is kept)",
    responses={
        400: "bad_consent_version (no such notice version)",
        404: "compound_not_found, building_not_found, unit_not_found or household_not_found",
        409: "already_bound there; binding_pending (a request for this room is waiting), "
        "too_many_pending (3 waiting), unit_queue_full or compound_archived",
        429: "too_many_requests (BINDING_RATE per person)",
    },
)
def create(body):
    return bindings.request_binding(
        principal(),
        compound_code=body["compound"],
        building=body["building"],
        unit=body["unit"],
        room=body["room"],
        name=body["name"],
        relation=body["relation"],
        consent_version=body.get("consent_version"),
    )


@bp.get("")
@bp.auth_required(auth)
@bp.input(BindingQuery, location="query", arg_name="query")
@bp.output(BindingListOut)
@bp.doc(
    summary="Requests I may review (liaison: my units; committee: my compound)",
    description="Oldest first, `limit` at a time; `next_cursor` fetches the next page.",
    responses={403: "not_a_reviewer"},
)
def list_for_review(query):
    return bindings.list_for_review(
        principal(), query["status"], cursor=query.get("cursor"), limit=query["limit"]
    )


@bp.post("/<int:request_id>/approve")
@bp.auth_required(auth)
@bp.output(BindingOut)
@bp.doc(
    summary="Approve a request (the unit's liaison or the committee)",
    responses={
        403: "not_reviewer_of_unit, or own_request (nobody approves their own)",
        409: "binding_decided or compound_archived",
    },
)
def approve(request_id):
    return bindings.approve(principal(), request_id)


@bp.post("/<int:request_id>/reject")
@bp.auth_required(auth)
@bp.input(RejectIn, arg_name="body")
@bp.output(BindingOut)
@bp.doc(
    summary="Reject a request with a reason (the unit's liaison or the committee)",
    responses={
        403: "not_reviewer_of_unit or own_request",
        409: "binding_decided or compound_archived",
    },
)
def reject(request_id, body):
    return bindings.reject(principal(), request_id, body["reason"])


@bp.post("/<int:request_id>/cancel")
@bp.auth_required(auth)
@bp.output(BindingOut)
@bp.doc(summary="Withdraw my own pending request", responses={409: "decided, or compound_archived"})
def cancel(request_id):
    return bindings.cancel(principal(), request_id)
