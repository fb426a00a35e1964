"""Signing in (jscode2session) and access tokens (stable and classic), as WeChat
answers them."""

from __future__ import annotations

import base64
import os
import secrets
import time

from flask import Flask, jsonify, request

from server.wechat.sandbox.state import SandboxState, renew_window, wx_error

# Codes that make jscode2session fail the way WeChat does.
CODE_ERRORS = {
    "bad": (40029, "invalid code"),
    "used": (40163, "code been used"),
    "frequent": (45011, "api minute-quota reach limit mustslower retry next minute"),
    "risky": (40226, "high risk user"),
    "busy": (-1, "system error"),
}


def register_login(app: Flask, state: SandboxState) -> None:
    @app.get("/sns/jscode2session")
    def jscode2session():
        args = request.args
        if args.get("appid") != state.appid:
            return wx_error(40013, "invalid appid")
        if args.get("secret") != state.secret:
            return wx_error(40125, "invalid appsecret")
        if args.get("grant_type") != "authorization_code":
            return wx_error(40002, "invalid grant_type")
        code = args.get("js_code", "")
        if not code:
            return wx_error(41008, "missing code")
        if code in CODE_ERRORS:
            return wx_error(*CODE_ERRORS[code])
        if not code.startswith("demo-") or len(code) <= len("demo-"):
            return wx_error(40029, "invalid code")
        openid = code[len("demo-") :]
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        body = {"openid": openid, "session_key": session_key}
        if os.environ.get("SANDBOX_UNIONID", "1") != "0":  # as if on the open platform
            body["unionid"] = "union-" + openid
        return jsonify(body)


def register_tokens(app: Flask, state: SandboxState) -> None:
    @app.post("/cgi-bin/stable_token")
    def stable_token():
        body = request.get_json(force=True, silent=True) or {}
        if body.get("grant_type") != "client_credential":
            return wx_error(40002, "invalid grant_type")
        appid = body.get("appid")
        if not state.credentials_ok(appid, body.get("secret")):
            return wx_error(40125, "invalid appsecret")
        with state.lock:
            state.fetches["stable_token"] += 1
            current = state.stable.get(appid)
            window = renew_window(state.token_ttl)
            renew = current is None or current[1] - time.time() <= window
            renew = renew or bool(body.get("force_refresh"))
            if renew:
                if body.get("force_refresh") and current:
                    state.tokens.pop(current[0], None)
                current = state.stable[appid] = state.new_token(appid)
            state.fetch_log.append({"appid": appid, "at": time.time(), "new": renew})
            token, expires_at = current
        return jsonify({"access_token": token, "expires_in": int(expires_at - time.time())})

    @app.get("/cgi-bin/token")
    def classic_token():
        appid = request.args.get("appid")
        if not state.credentials_ok(appid, request.args.get("secret")):
            return wx_error(40125, "invalid appsecret")
        with state.lock:
            state.fetches["token"] += 1
            if appid in state.classic:  # a new classic token invalidates the previous one
                state.tokens.pop(state.classic[appid], None)
            token, _ = state.new_token(appid)
            state.classic[appid] = token
            state.fetch_log.append({"appid": appid, "at": time.time(), "new": True})
        return jsonify({"access_token": token, "expires_in": state.token_ttl})
