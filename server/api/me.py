"""GET /me: who am I, my roles, my households; my binding requests."""

from apiflask import APIBlueprint

from server.api.schemas.people import BindingListOut, UserOut
from server.api.security import auth, principal
from server.services import bindings, users

bp = APIBlueprint("me", __name__, url_prefix="/api/v1/me", tag="Me")


@bp.get("")
@bp.auth_required(auth)
@bp.output(UserOut)
@bp.doc(summary="The signed-in user with roles and households")
def me():
    return users.describe(principal())


@bp.get("/bindings")
@bp.auth_required(auth)
@bp.output(BindingListOut)
@bp.doc(summary="My binding requests, newest first")
def my_bindings():
    return {"items": bindings.list_mine(principal())}
