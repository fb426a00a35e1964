"""POST /auth/login: sign in with a wx.login code."""

from apiflask import APIBlueprint
from flask import current_app

from server.api.schemas.people import LoginIn, LoginOut
from server.extensions import limiter
from server.services.people import auth

bp = APIBlueprint("auth", __name__, url_prefix="/api/v1/auth", tag="Auth")


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_IP"])
@bp.input(LoginIn, arg_name="body")
@bp.output(LoginOut)
@bp.doc(
    summary="Sign in with WeChat",
    responses={
        401: "wechat_code_invalid: the code is wrong or used (wx.login again)",
        403: "wechat_user_blocked (WeChat flags the account) or account_disabled",
        429: "too_many_requests (too many logins) or wechat_rate_limited",
        503: "wechat_unavailable",
    },
)
def login(body):
    return auth.login(body["code"])
