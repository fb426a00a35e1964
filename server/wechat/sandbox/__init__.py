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

import os
import time

from flask import Flask, Response, request

from server.config import (
    SANDBOX_APPID,
    SANDBOX_MCH_ID,
    SANDBOX_OA_APPID,
    SANDBOX_OA_SECRET,
    SANDBOX_PAY_KEY,
    SANDBOX_SECRET,
)
from server.wechat.sandbox.accounts import register_login, register_tokens
from server.wechat.sandbox.control import register_control
from server.wechat.sandbox.messages import register_messages
from server.wechat.sandbox.pay import PayState, register_pay
from server.wechat.sandbox.pay_bills import register_pay_bills
from server.wechat.sandbox.pay_refunds import register_pay_refunds
from server.wechat.sandbox.pay_v3 import register_pay_v3
from server.wechat.sandbox.state import SandboxState, wx_error


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
    register_pay_refunds(app, pay_state)
    register_pay_bills(app, pay_state)
    register_pay_v3(app)

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

    register_login(app, state)
    register_tokens(app, state)
    register_messages(app, state)
    register_control(app, state)
    return app
