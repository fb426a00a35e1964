"""Everything that speaks to WeChat, and the one factory of its clients.

The rule of the WeChat edge:

- `server/wechat/` is the only package that imports wechatpy or calls WeChat's
  servers. Its public face is this module; its submodules are its own.
- Services (`server/services/`) are the only callers. They get their clients from
  the factory below — `mini_program()`, `official_account()`, `payment_gateway()`,
  built once per app from its configuration — and never build one themselves. Every
  other name they need (error types, WeChat Pay's order states, limits and helpers)
  they import from `server.wechat` itself, never from a submodule.
- The API layer (`server/api/`), the jobs (`server/jobs/`) and the CLI call
  services and import nothing from here: a WeChat error reaches the HTTP answer as
  the AppError it is.

Tests hold the rule (`tests/server/test_wechat_edge.py`); the sandbox
(`server.wechat.sandbox`) is a stand-in for WeChat's servers, not a client.
"""

from __future__ import annotations

from flask import current_app

from server.extensions import db
from server.wechat.client import MiniProgram, StableTokenClient, WxSession
from server.wechat.errors import (
    WeChatCodeInvalid,
    WeChatError,
    WeChatNoQuota,
    WeChatRateLimited,
    WeChatSendRejected,
    WeChatUnavailable,
    WeChatUncertain,
    WeChatUserBlocked,
)
from server.wechat.official_account import MAX_EVENT_BYTES, OfficialAccount, parse_follow_event
from server.wechat.pay import (
    CLOSE_AFTER,
    MAX_NOTIFY_BYTES,
    InvalidNotification,
    OrderState,
    PaymentGateway,
    PayNotification,
    PayRejected,
    WeChatPayV2,
    acknowledgement,
)
from server.wechat.storage import DatabaseStorage

# The public face: the factory, and what services need beside the clients.
__all__ = [
    "CLOSE_AFTER",
    "MAX_EVENT_BYTES",
    "MAX_NOTIFY_BYTES",
    "InvalidNotification",
    "MiniProgram",
    "OfficialAccount",
    "OrderState",
    "PayNotification",
    "PayRejected",
    "PaymentGateway",
    "WeChatCodeInvalid",
    "WeChatError",
    "WeChatNoQuota",
    "WeChatRateLimited",
    "WeChatSendRejected",
    "WeChatUnavailable",
    "WeChatUncertain",
    "WeChatUserBlocked",
    "WxSession",
    "acknowledgement",
    "mini_program",
    "official_account",
    "parse_follow_event",
    "payment_gateway",
]


def mini_program() -> MiniProgram:
    """The app's MiniProgram client, built once per app from its configuration."""
    ext = current_app.extensions
    if "linli.mini_program" not in ext:
        cfg = current_app.config
        client = StableTokenClient(
            cfg["WECHAT_APPID"],
            cfg["WECHAT_SECRET"],
            api_base=cfg["WECHAT_API_BASE"],
            storage=DatabaseStorage(db.engine),
            timeout=cfg["WECHAT_TIMEOUT"],
        )
        ext["linli.mini_program"] = MiniProgram(client)
    return ext["linli.mini_program"]


def official_account() -> OfficialAccount | None:
    """The official account client, or None when none is configured."""
    cfg = current_app.config
    if not cfg["WECHAT_OA_APPID"]:
        return None
    ext = current_app.extensions
    if "linli.official_account" not in ext:
        client = StableTokenClient(
            cfg["WECHAT_OA_APPID"],
            cfg["WECHAT_OA_SECRET"],
            api_base=cfg["WECHAT_API_BASE"],
            storage=DatabaseStorage(db.engine),
            timeout=cfg["WECHAT_TIMEOUT"],
        )
        ext["linli.official_account"] = OfficialAccount(
            client, cfg["WECHAT_APPID"], cfg["WECHAT_OA_TOKEN"]
        )
    return ext["linli.official_account"]


def payment_gateway() -> PaymentGateway | None:
    """WeChat Pay (API v2), or None when no merchant is configured."""
    cfg = current_app.config
    if not (cfg["WECHAT_PAY_MCH_ID"] and cfg["WECHAT_PAY_API_KEY"]):
        return None
    ext = current_app.extensions
    if "linli.payment_gateway" not in ext:
        ext["linli.payment_gateway"] = WeChatPayV2(
            cfg["WECHAT_APPID"],
            cfg["WECHAT_PAY_MCH_ID"],
            cfg["WECHAT_PAY_API_KEY"],
            api_base=cfg["WECHAT_PAY_API_BASE"],
            timeout=cfg["WECHAT_TIMEOUT"],
        )
    return ext["linli.payment_gateway"]
