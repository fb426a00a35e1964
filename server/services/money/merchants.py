"""Which WeChat Pay merchant a compound's fees go to, and which one an order was made
with (server/config_pay.py has the merchants themselves)."""

from __future__ import annotations

from flask import current_app

from server.errors import ValidationFailed
from server.extensions import db
from server.models import Compound, Payment
from server.wechat import PaymentGateway, payment_gateway, payment_merchants

# Orders made before merchants had names were made with this one.
LEGACY = "default"


def name_for_compound(compound_id: int) -> str:
    """The merchant a compound's new orders are made with ("" when none is configured)."""
    chosen = db.session.get(Compound, compound_id).pay_merchant
    return chosen or current_app.config["WECHAT_PAY_DEFAULT_MERCHANT"]


def for_compound(compound_id: int) -> tuple[str, PaymentGateway | None]:
    """The compound's merchant name and its gateway (None: online payment is off)."""
    name = name_for_compound(compound_id)
    return name, (payment_gateway(name) if name else None)


def for_payment(payment: Payment) -> PaymentGateway | None:
    """The gateway of the merchant an order was made with (None: since unconfigured)."""
    return payment_gateway(payment.merchant or LEGACY)


def check_name(name: str | None) -> str | None:
    """A merchant name the street office may give a compound (None/"": the default).
    Raises ValidationFailed."""
    if not name:
        return None
    if name not in payment_merchants():
        raise ValidationFailed(
            f"没有名为“{name}”的微信支付商户，请先在服务器配置中添加", code="unknown_merchant"
        )
    return name
