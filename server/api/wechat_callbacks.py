"""Pushes from WeChat's servers (the official account's event URL)."""

from apiflask import APIBlueprint
from flask import Response, request

from server.errors import NotFound
from server.services.messaging import followers

bp = APIBlueprint("wechat_callbacks", __name__, url_prefix="/api/v1/wechat", tag="WeChat")


def _verify_push() -> None:
    args = request.args
    signed = (args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    if not followers.check_push(*signed):
        raise NotFound()  # no account configured, or not WeChat: nothing is here


@bp.get("/official-account")
@bp.doc(hide=True)
def verify_url():
    _verify_push()
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/official-account")
@bp.doc(hide=True)
def official_account_event():
    _verify_push()
    followers.handle_event(request.content_length, lambda: request.get_data(cache=False))
    # WeChat wants "success" (or an empty body) whatever we made of the event.
    return Response("success", mimetype="text/plain")
