"""Which WeChat Pay merchant a compound's fees go to, as the street office chooses it
and the committee reads it.

The merchants themselves are configuration (server/config_pay.py); this module only
names them, their API version and their merchant number: never a key or a key's path.
Changing a compound's merchant changes where its new orders go; an order already made
keeps the merchant it was made with (`Payment.merchant`).
"""

from __future__ import annotations

from flask import current_app

from server.models import Compound
from server.services.governance import audit
from server.services.money import merchants


def configured() -> list[dict]:
    """Every configured merchant: name, version ("v2"/"v3"), merchant number, and whether
    compounds without a choice of their own use it."""
    cfg = current_app.config
    default = cfg["WECHAT_PAY_DEFAULT_MERCHANT"]
    return [
        {
            "name": name,
            "version": settings["version"],
            "mch_id": settings.get("mchid") or settings.get("mch_id"),
            "default": name == default,
        }
        for name, settings in sorted(cfg["WECHAT_PAY_MERCHANTS"].items())
    ]


def of_compound(compound: Compound) -> dict:
    """The merchant a compound's new orders are made with: `pay_merchant` (None: online
    payment is off), `pay_version` (None: that merchant is no longer configured) and
    `pay_merchant_is_default` (the compound follows the installation's default)."""
    cfg = current_app.config
    name = compound.pay_merchant or cfg["WECHAT_PAY_DEFAULT_MERCHANT"] or None
    settings = cfg["WECHAT_PAY_MERCHANTS"].get(name) if name else None
    return {
        "pay_merchant": name,
        "pay_version": settings["version"] if settings else None,
        "pay_merchant_is_default": compound.pay_merchant is None,
    }


def shown_to(principal, compound: Compound) -> dict | None:
    """The compound's merchant for the street office and the compound's committee;
    None for everyone else (residents need not know the merchant account)."""
    if principal.is_admin or principal.committee_of(compound.id):
        return of_compound(compound)
    return None


def choose(compound: Compound, name: str | None, *, actor_id: int | None) -> bool:
    """Give a compound a merchant (None or "": the installation's default) and log the
    change; True when it changed. No commit: it commits with the caller's change.
    Raises ValidationFailed (unknown_merchant)."""
    chosen = merchants.check_name(name)
    if chosen == compound.pay_merchant:
        return False
    before = _described(compound)
    compound.pay_merchant = chosen
    audit.record(
        compound.id,
        "pay_merchant_changed",
        f"更换微信支付收款商户：{before} → {_described(compound)}，此后的新订单生效",
        actor_id=actor_id,
        details={"pay_merchant": chosen},
    )
    return True


def _described(compound: Compound) -> str:
    shown = of_compound(compound)
    if shown["pay_merchant"] is None:
        return "未开通在线缴费"
    version = f"（{shown['pay_version']}）" if shown["pay_version"] else ""
    default = "默认商户 " if shown["pay_merchant_is_default"] else ""
    return f"{default}{shown['pay_merchant']}{version}"
