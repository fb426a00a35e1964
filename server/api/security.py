"""Bearer-token authentication for the API."""

from __future__ import annotations

from apiflask import HTTPTokenAuth

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
