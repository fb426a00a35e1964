"""Bearer-token authentication for the API."""

from __future__ import annotations

import hashlib

from apiflask import HTTPTokenAuth
from flask import request
from flask_limiter.util import get_remote_address

from server.services import auth as auth_service
from server.services.access import Principal

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
    """A rate-limit key per signed-in caller (their token), not per address: a whole
    compound may reach us through one NAT address."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and len(header) > 7:
        return "token:" + hashlib.sha256(header[7:].encode()).hexdigest()[:32]
    return "ip:" + (get_remote_address() or "unknown")
