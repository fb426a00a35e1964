"""WeChat Pay API v3 (JSON, RSA-SHA256 signatures, AEAD_AES_256_GCM notifications)
through the `wechatpayv3` package, its gateway pointed at a configurable base URL.

Being built (issue 15): the constructor reads the merchant's key files; every
PaymentGateway method follows.
"""

from __future__ import annotations

from server.config_pay import read_secret


class WeChatPayV3:
    """PaymentGateway over WeChat Pay API v3 for one merchant."""

    version = "v3"

    def __init__(self, merchant: str, settings: dict, *, api_base: str, timeout: float):
        self.merchant = merchant
        self._settings = settings
        self._api_base = api_base
        self._timeout = timeout
        self._apiv3_key = read_secret(settings["apiv3_key_file"])

    @property
    def appid(self) -> str:
        return self._settings["appid"]

    @property
    def mch_id(self) -> str:
        return self._settings["mchid"]
