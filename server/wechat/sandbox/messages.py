"""Subscribe and template messages, checked against WeChat's limits and recorded; the
official account's user info."""

from __future__ import annotations

import time

from flask import Flask, jsonify, request

from server.wechat.limits import check_value, kind_of
from server.wechat.sandbox.state import SandboxState, wx_error


def register_messages(app: Flask, state: SandboxState) -> None:
    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send():
        return _record(state, "subscribe", state.appid)

    @app.post("/cgi-bin/message/template/send")
    def template_send():
        return _record(state, "template", state.oa_appid)

    @app.get("/cgi-bin/user/info")
    def oa_user_info():
        with state.lock:
            error = state.token_error(request.args.get("access_token"), state.oa_appid)
        if error:
            return wx_error(*error)
        openid = request.args.get("openid", "")
        if not openid.startswith("oa-"):
            return wx_error(40003, "invalid openid")
        # Sandbox convention: the follower oa-<x> is the mini-program user <x>.
        return jsonify({"subscribe": 1, "openid": openid, "unionid": "union-" + openid[3:]})


def _record(state: SandboxState, kind: str, appid: str):
    with state.lock:
        error = state.token_error(request.args.get("access_token"), appid)
    body = request.get_json(force=True, silent=True)  # WeChat ignores the Content-Type
    error = error or _message_error(body, kind)
    if error:
        return wx_error(*error)
    with state.lock:
        msgid = len(state.messages) + 1
        state.messages.append(
            {
                "msgid": msgid,
                "kind": kind,
                "touser": body["touser"],
                "template_id": body["template_id"],
                "page": body.get("page") or (body.get("miniprogram") or {}).get("pagepath"),
                "miniprogram_state": body.get("miniprogram_state"),
                "data": {k: v["value"] for k, v in body["data"].items()},
                "received_at": time.time(),
            }
        )
    return jsonify({"errcode": 0, "errmsg": "ok", "msgid": msgid})


def _message_error(body, kind: str) -> tuple[int, str] | None:
    """What WeChat would answer to a malformed message, or None."""
    if not isinstance(body, dict):
        return 47001, "data format error"
    if not body.get("touser"):
        return 40003, "invalid openid"
    if not body.get("template_id"):
        return 40037, "invalid template_id"
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        return 47003, "argument invalid! data is empty"
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        # Official-account templates may still use the old first/keywordN/remark keys.
        old_style = kind == "template" and kind_of(key) is None
        problem = _old_style_problem(key, value) if old_style else check_value(key, value)
        if problem:
            return 47003, f"argument invalid! {problem}"
    return None


def _old_style_problem(key: str, value) -> str | None:
    if not isinstance(value, str) or not value:
        return f"{key}: value missing"
    return f"{key}: longer than 200 characters" if len(value) > 200 else None
