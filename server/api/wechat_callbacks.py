"""Pushes from WeChat's servers (the official account's event URL)."""

from apiflask import APIBlueprint
from flask import Response, request

from server.errors import NotFound
from server.services.messaging import followers
from server.wechat import official_account

bp = APIBlueprint("wechat_callbacks", __name__, url_prefix="/api/v1/wechat", tag="WeChat")


def _verified_account():
    account = official_account()
    if account is None:
        raise NotFound()
    args = request.args
    signed = (args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    if not followers.check_push(account, *signed):
        raise NotFound()
    return account


@bp.get("/official-account")
@bp.doc(hide=True)
def verify_url():
    _verified_account()
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/official-account")
@bp.doc(hide=True)
def official_account_event():
    account = _verified_account()
    if (request.content_length or 0) > 16 * 1024:
        return Response("success", mimetype="text/plain")
    followers.handle_event(account, request.get_data(cache=False))
    # WeChat wants "success" (or an empty body) whatever we made of the event.
    return Response("success", mimetype="text/plain")
