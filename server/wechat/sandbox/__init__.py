"""A local stand-in for WeChat's servers, for development and tests.

It answers the calls the backend makes, with WeChat's request and response
shapes, so the production code path (wechatpy pointed at a base URL) runs
unchanged against it:

- `GET  sns/jscode2session`: code `demo-<x>` → openid `<x>`; `bad` → 40029,
  `used` → 40163, `frequent` → 45011, `risky` → 40226, `busy` → -1.
- `POST cgi-bin/stable_token`, `GET cgi-bin/token`: access tokens that expire.
- `POST cgi-bin/message/subscribe/send`, `POST cgi-bin/message/template/send`:
  checked against WeChat's value limits, then recorded.
- `GET /sandbox/messages`: what residents would have received. `DELETE` clears.
- `GET /sandbox/stats`: token fetch counts (and each fetch: app, time, whether it
  brought a new token). `POST /sandbox/faults`: inject failures (HTTP status,
  errcode, malformed body, delay) for the next N calls.
- `POST /sandbox/settings {"token_ttl": 20}`: shorter-lived tokens, to watch
  several lifetimes pass in a test (`SANDBOX_TOKEN_TTL` sets it at start).

Run it: `python -m server.wechat.sandbox --port 5100`.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, jsonify, request

from server.config import (
    SANDBOX_APPID,
    SANDBOX_MCH_ID,
    SANDBOX_OA_APPID,
    SANDBOX_OA_SECRET,
    SANDBOX_PAY_KEY,
    SANDBOX_SECRET,
)
from server.wechat.limits import check_value, kind_of
from server.wechat.sandbox.pay import PayState, register_pay

# Codes that make jscode2session fail the way WeChat does.
CODE_ERRORS = {
    "bad": (40029, "invalid code"),
    "used": (40163, "code been used"),
    "frequent": (45011, "api minute-quota reach limit mustslower retry next minute"),
    "risky": (40226, "high risk user"),
    "busy": (-1, "system error"),
}
# Stable tokens renew in their last 5 minutes (WeChat's documented behaviour); a
# shortened lifetime renews in its last quarter.
STABLE_RENEW_WINDOW = 300


def renew_window(token_ttl: int) -> int:
    return min(STABLE_RENEW_WINDOW, token_ttl // 4)


@dataclass
class Fault:
    path: str  # prefix of the request path, e.g. "sns/jscode2session"
    kind: str  # "status", "errcode", "malformed", "delay"
    value: float = 0
    times: int | None = 1  # None: until cleared

    def matches(self, path: str) -> bool:
        return path.lstrip("/").startswith(self.path.lstrip("/"))


@dataclass
class SandboxState:
    appid: str
    secret: str
    oa_appid: str = SANDBOX_OA_APPID
    oa_secret: str = SANDBOX_OA_SECRET
    token_ttl: int = 7200
    lock: threading.Lock = field(default_factory=threading.Lock)
    # token → (appid, expires at epoch); each app's token works for its own calls only.
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    stable: dict[str, tuple[str, float]] = field(default_factory=dict)
    classic: dict[str, str] = field(default_factory=dict)
    fetches: dict[str, int] = field(default_factory=lambda: {"stable_token": 0, "token": 0})
    # Every token fetch: {"appid", "at" (epoch), "new" (did it bring a new token?)}.
    fetch_log: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    def credentials_ok(self, appid, secret) -> bool:
        return (appid, secret) in {(self.appid, self.secret), (self.oa_appid, self.oa_secret)}

    def new_token(self, appid: str) -> tuple[str, float]:
        token = "SANDBOX_" + secrets.token_urlsafe(48)
        expires_at = time.time() + self.token_ttl
        self.tokens[token] = (appid, expires_at)
        return token, expires_at

    def token_error(self, token: str | None, appid: str) -> tuple[int, str] | None:
        if not token or token not in self.tokens or self.tokens[token][0] != appid:
            return 40001, "invalid credential, access_token is invalid or not latest"
        if self.tokens[token][1] <= time.time():
            return 42001, "access_token expired"
        return None

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None


def wx_error(errcode: int, errmsg: str):
    return jsonify({"errcode": errcode, "errmsg": errmsg})


def create_sandbox_app(appid: str | None = None, secret: str | None = None) -> Flask:
    """The sandbox as a WSGI app; its state is at `app.extensions["sandbox"]`."""
    app = Flask(__name__)
    app.json.ensure_ascii = False
    state = SandboxState(
        appid=appid or os.environ.get("WECHAT_APPID") or SANDBOX_APPID,
        secret=secret or os.environ.get("WECHAT_SECRET") or SANDBOX_SECRET,
        oa_appid=os.environ.get("WECHAT_OA_APPID") or SANDBOX_OA_APPID,
        oa_secret=os.environ.get("WECHAT_OA_SECRET") or SANDBOX_OA_SECRET,
        token_ttl=int(os.environ.get("SANDBOX_TOKEN_TTL", "7200")),
    )
    app.extensions["sandbox"] = state
    pay_state = PayState(
        appid=state.appid,
        mch_id=os.environ.get("WECHAT_PAY_MCH_ID") or SANDBOX_MCH_ID,
        api_key=os.environ.get("WECHAT_PAY_API_KEY") or SANDBOX_PAY_KEY,
    )
    app.extensions["sandbox_pay"] = pay_state
    register_pay(app, pay_state)

    @app.before_request
    def _count_and_inject_faults():
        path = request.path.lstrip("/")
        if path.startswith("sandbox"):
            return None
        with state.lock:
            state.calls[path] = state.calls.get(path, 0) + 1
        fault = state.take_fault(path)
        if fault is None:
            return None
        if fault.kind == "delay":
            time.sleep(fault.value)
            return None
        if fault.kind == "status":
            return Response("sandbox fault", status=int(fault.value))
        if fault.kind == "errcode":
            return wx_error(int(fault.value), "sandbox injected error")
        return Response("<html>not json</html>", status=200, mimetype="text/html")

    _register_login(app, state)
    _register_tokens(app, state)
    _register_messages(app, state)
    _register_control(app, state)
    return app


def _register_login(app: Flask, state: SandboxState) -> None:
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


def _register_tokens(app: Flask, state: SandboxState) -> None:
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


def _register_messages(app: Flask, state: SandboxState) -> None:
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


def _register_control(app: Flask, state: SandboxState) -> None:
    @app.get("/sandbox/messages")
    def list_messages():
        touser = request.args.get("touser")
        with state.lock:
            items = [m for m in state.messages if touser in (None, m["touser"])]
        return jsonify({"count": len(items), "messages": items})

    @app.delete("/sandbox/messages")
    def clear_messages():
        with state.lock:
            state.messages.clear()
        return jsonify({"cleared": True})

    @app.get("/sandbox/stats")
    def stats():
        with state.lock:
            return jsonify(
                {
                    "token_fetches": dict(state.fetches),
                    "fetch_log": list(state.fetch_log),
                    "calls": dict(state.calls),
                    "token_ttl": state.token_ttl,
                }
            )

    @app.post("/sandbox/settings")
    def settings():
        body = request.get_json(silent=True)
        ttl = body.get("token_ttl", state.token_ttl) if isinstance(body, dict) else None
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 4 <= ttl <= 7200:
            return jsonify({"error": "token_ttl must be an integer of seconds, 4 to 7200"}), 400
        with state.lock:
            state.token_ttl = ttl
        return jsonify({"token_ttl": ttl, "renew_window": renew_window(ttl)})

    @app.post("/sandbox/faults")
    def add_fault():
        body = request.get_json(silent=True) or {}
        kinds = {"status", "errcode", "malformed", "delay"}
        if body.get("kind") not in kinds or not isinstance(body.get("path"), str):
            return jsonify({"error": f"need path and kind in {sorted(kinds)}"}), 400
        fault = Fault(body["path"], body["kind"], float(body.get("value", 0)), body.get("times", 1))
        with state.lock:
            state.faults.append(fault)
        return jsonify({"faults": len(state.faults)}), 201

    @app.delete("/sandbox/faults")
    def clear_faults():
        with state.lock:
            state.faults.clear()
        return jsonify({"cleared": True})

    @app.get("/")
    def index():
        return jsonify(
            {
                "sandbox": "Linli WeChat sandbox",
                "appid": state.appid,
                "login": "wx.login code demo-<openid> signs in as <openid>",
                "see": ["/sandbox/messages", "/sandbox/stats"],
            }
        )
