"""The phone's side of the committee's desk: confirm a computer's QR code, list the
computers signed in, sign them out."""

from apiflask import APIBlueprint
from flask import current_app

from server.api.schemas.console import (
    ConsoleConfirmIn,
    ConsoleConfirmOut,
    ConsoleScanIn,
    ConsoleScanOut,
    ConsoleSessionListOut,
    ConsoleSignedOutOut,
)
from server.api.security import auth, caller_key, principal
from server.extensions import limiter
from server.services.console import sessions, tickets

bp = APIBlueprint("console_api", __name__, url_prefix="/api/v1/console", tag="Desk")


@bp.post("/scan")
@bp.auth_required(auth)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_OPENID"], key_func=caller_key)
@bp.input(ConsoleScanIn, arg_name="body")
@bp.output(ConsoleScanOut)
@bp.doc(
    summary="Read a computer's sign-in QR code (committee, supervisor, admin)",
    description="What the phone shows before confirming: the computer's browser and the "
    "compounds the caller may sign it into.",
    responses={
        403: "console_not_allowed (a resident, a liaison...)",
        404: "console_ticket_not_found",
        409: "console_ticket_used or console_ticket_expired",
    },
)
def scan(body):
    return tickets.describe(principal(), body["ticket"])


@bp.post("/confirm")
@bp.auth_required(auth)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_OPENID"], key_func=caller_key)
@bp.input(ConsoleConfirmIn, arg_name="body")
@bp.output(ConsoleConfirmOut)
@bp.doc(
    summary="Sign the computer in (在电脑上登录): it acts with the caller's permissions",
    responses={
        403: "console_not_allowed",
        404: "console_ticket_not_found",
        409: "console_ticket_used or console_ticket_expired",
    },
)
def confirm(body):
    return tickets.confirm(principal(), body["ticket"], body.get("compound"))


@bp.get("/sessions")
@bp.auth_required(auth)
@bp.output(ConsoleSessionListOut)
@bp.doc(summary="The computers signed in as the caller")
def list_sessions():
    return {"items": sessions.active(principal())}


@bp.delete("/sessions")
@bp.auth_required(auth)
@bp.output(ConsoleSignedOutOut)
@bp.doc(summary="Sign out every computer (退出所有电脑)")
def sign_out_everywhere():
    return {"signed_out": sessions.sign_out_everywhere(principal())}


@bp.delete("/sessions/<int:session_id>")
@bp.auth_required(auth)
@bp.output(ConsoleSignedOutOut)
@bp.doc(summary="Sign out one computer", responses={404: "console_session_not_found"})
def sign_out_one(session_id):
    sessions.sign_out_one(principal(), session_id)
    return {"signed_out": 1}
