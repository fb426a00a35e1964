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

from server.config_pay import read_secret
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
    NotifyAnswer,
    OrderState,
    PaymentGateway,
    PayNotification,
    PayRejected,
    RefundNotice,
    RefundState,
    StatementNotReady,
    acknowledgement,
)
from server.wechat.pay_v2 import WeChatPayV2
from server.wechat.pay_v3 import WeChatPayV3
from server.wechat.statement import Statement, StatementLine, StatementUnreadable
from server.wechat.storage import DatabaseStorage

# The public face: the factory, and what services need beside the clients.
__all__ = [
    "CLOSE_AFTER",
    "MAX_EVENT_BYTES",
    "MAX_NOTIFY_BYTES",
    "InvalidNotification",
    "MiniProgram",
    "NotifyAnswer",
    "OfficialAccount",
    "OrderState",
    "PayNotification",
    "PayRejected",
    "PaymentGateway",
    "RefundNotice",
    "RefundState",
    "Statement",
    "StatementLine",
    "StatementNotReady",
    "StatementUnreadable",
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
    "payment_merchants",
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


def payment_gateway(merchant: str | None = None) -> PaymentGateway | None:
    """WeChat Pay for a merchant by name (None: the default merchant), or None when no
    such merchant is configured. Built once per app and merchant."""
    cfg = current_app.config
    name = merchant or cfg["WECHAT_PAY_DEFAULT_MERCHANT"]
    settings = cfg["WECHAT_PAY_MERCHANTS"].get(name) if name else None
    if settings is None:
        return None
    gateways = current_app.extensions.setdefault("linli.payment_gateways", {})
    if name not in gateways:
        gateways[name] = _build_gateway(name, settings, cfg)
    return gateways[name]


def payment_merchants() -> list[str]:
    """The names of the configured merchants (for the street office's choice)."""
    return sorted(current_app.config["WECHAT_PAY_MERCHANTS"])


def _build_gateway(name: str, settings: dict, cfg) -> PaymentGateway:
    if settings["version"] == "v3":
        return WeChatPayV3(
            name, settings, api_base=cfg["WECHAT_PAY_API_BASE"], timeout=cfg["WECHAT_TIMEOUT"]
        )
    api_key = settings.get("api_key") or read_secret(settings["api_key_file"])
    return WeChatPayV2(
        settings["appid"],
        settings["mch_id"],
        api_key,
        api_base=cfg["WECHAT_PAY_API_BASE"],
        timeout=cfg["WECHAT_TIMEOUT"],
        merchant=name,
        cert_file=settings.get("cert_file"),
        key_file=settings.get("key_file"),
    )
