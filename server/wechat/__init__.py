"""Everything that speaks to WeChat. The only package that imports wechatpy."""

from __future__ import annotations

from flask import current_app

from server.extensions import db
from server.wechat.client import MiniProgram, StableTokenClient, WxSession
from server.wechat.official_account import OfficialAccount
from server.wechat.pay import PaymentGateway, WeChatPayV2
from server.wechat.storage import DatabaseStorage

__all__ = [
    "MiniProgram",
    "OfficialAccount",
    "PaymentGateway",
    "WxSession",
    "mini_program",
    "official_account",
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
