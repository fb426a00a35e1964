"""How the sandbox's API v3 speaks HTTP: answers signed as WeChat Pay signs them,
errors as its JSON {"code", "message"}, and every request's Authorization checked."""

from __future__ import annotations

import json
import secrets

from flask import Response, request

from server.wechat.sandbox.pay_v3_state import PayStateV3


def signed(state: PayStateV3, data: dict | None, status: int = 200) -> Response:
    """An answer signed as WeChat Pay signs it (an empty body for 204)."""
    body = "" if data is None else json.dumps(data, ensure_ascii=False)
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.update(state.signed_headers(body))
    response.headers["Request-ID"] = secrets.token_hex(16)
    return response


def error(state: PayStateV3, status: int, code: str, message: str) -> Response:
    return signed(state, {"code": code, "message": message}, status)


def checked(state: PayStateV3) -> tuple[dict | None, Response | None]:
    """The request's JSON body once its Authorization holds, or the error answer."""
    # The path as sent, percent-escapes and all: that is what the merchant signed.
    query = request.query_string.decode()
    url_path = request.environ.get("RAW_URI") or request.path + (f"?{query}" if query else "")
    body = request.get_data(as_text=True)
    if not state.authorized(request.method, url_path, body, request.headers.get("Authorization")):
        return None, error(state, 401, "SIGN_ERROR", "签名错误")
    if not body:
        return {}, None
    try:
        data = json.loads(body)
    except ValueError:
        return None, error(state, 400, "PARAM_ERROR", "请求体不是合法的JSON")
    if not isinstance(data, dict):
        return None, error(state, 400, "PARAM_ERROR", "请求体不是合法的JSON")
    return data, None
