"""Bearer-token authentication for the API."""

from __future__ import annotations

from apiflask import HTTPTokenAuth
from flask import request
from flask_limiter.util import get_remote_address

from server.services.people import auth as auth_service
from server.services.people.access import Principal

auth = HTTPTokenAuth(
    scheme="Bearer",
    description="`Authorization: Bearer <token>`; the token comes from POST /api/v1/auth/login.",
)


@auth.verify_token
def _verify(token: str) -> Principal:
    return auth_service.authenticate(token)


def principal() -> Principal:
    """The signed-in caller of the current request."""
    return auth.current_user


def caller_key() -> str:
    """A rate-limit key per signed-in person (not per token: every login mints a new
    one; not per address: a whole compound may share one NAT address)."""
    header = request.headers.get("Authorization", "")
    user_id = auth_service.token_user_id(header[7:]) if header.startswith("Bearer ") else None
    if user_id is not None:
        return f"user:{user_id}"
    return "ip:" + (get_remote_address() or "unknown")
