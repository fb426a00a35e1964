"""WeChat Pay behind one interface, so API v3 (the `wechatpayv3` package) can stand
beside API v2 later without touching the services.

`PaymentGateway` is what the services use; `WeChatPayV2` implements it with
wechatpy's API v2 client pointed at a configurable base URL (the sandbox in
development, api.mch.weixin.qq.com in production).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import requests
from wechatpy.exceptions import InvalidSignatureException, WeChatPayException
from wechatpy.pay import WeChatPay

from server.clock import SHANGHAI
from server.wechat.errors import WeChatUnavailable

log = logging.getLogger(__name__)
MAX_NOTIFY_BYTES = 8 * 1024
# WeChat Pay lets an order be closed only 5 minutes after it was created ("订单生成后不能
# 马上调用关单接口，最短调用时间间隔为5分钟"); it documents no answer for an earlier call.
# Our `created_at` is taken before the order reaches WeChat Pay (and its clock is not
# ours): half a minute more, so a close is never sent early.
CLOSE_AFTER = timedelta(minutes=5, seconds=30)


class InvalidNotification(Exception):
    """A notification we cannot trust: bad signature, not XML, entities, too big."""


class PayRejected(Exception):
    """WeChat Pay refused the request for good (err_code says why)."""

    def __init__(self, err_code: str | None, message: str | None):
        super().__init__(f"{err_code}: {message}")
        self.err_code = err_code


@dataclass(frozen=True)
class PayNotification:
    """A verified payment notification (signature checked; nothing else yet)."""

    appid: str | None
    mch_id: str | None
    out_trade_no: str | None
    transaction_id: str | None
    total_fen: int | None
    return_ok: bool
    result_ok: bool


@dataclass(frozen=True)
class OrderState:
    """What WeChat Pay says of an order: SUCCESS, NOTPAY, CLOSED, REFUND, USERPAYING,
    PAYERROR, REVOKED, or NOT_FOUND."""

    trade_state: str
    transaction_id: str | None = None
    total_fen: int | None = None


class PaymentGateway(Protocol):
    def create_order(
        self,
        *,
        out_trade_no: str,
        total_fen: int,
        description: str,
        openid: str,
        client_ip: str,
        notify_url: str,
        expires_at: datetime,
    ) -> str: ...

    def jsapi_params(self, prepay_id: str) -> dict: ...

    def parse_notification(self, body: bytes) -> PayNotification: ...

    def query_order(self, out_trade_no: str) -> OrderState: ...

    def close_order(self, out_trade_no: str) -> str: ...

    def acknowledge(self, ok: bool, message: str = "OK") -> str: ...

    @property
    def appid(self) -> str: ...

    @property
    def mch_id(self) -> str: ...


class WeChatPayV2:
    """PaymentGateway over WeChat Pay API v2 (MD5-signed XML) through wechatpy."""

    def __init__(self, appid: str, mch_id: str, api_key: str, *, api_base: str, timeout: float):
        self._pay = WeChatPay(appid, api_key, mch_id, timeout=timeout)  # never sandbox=True
        self._pay.API_BASE_URL = api_base

    @property
    def appid(self) -> str:
        return self._pay.appid

    @property
    def mch_id(self) -> str:
        return self._pay.mch_id

    def create_order(
        self, *, out_trade_no, total_fen, description, openid, client_ip, notify_url, expires_at
    ) -> str:
        """A JSAPI order; returns its prepay_id. Raises PayRejected or WeChatUnavailable."""
        result = self._call(
            "unifiedorder",
            self._pay.order.create,
            trade_type="JSAPI",
            body=description,
            total_fee=total_fen,
            notify_url=notify_url,
            client_ip=client_ip,  # given, so wechatpy does not look up our address
            user_id=openid,
            out_trade_no=out_trade_no,
            time_expire=expires_at.astimezone(SHANGHAI),
        )
        prepay_id = result.get("prepay_id")
        if not prepay_id:
            raise WeChatUnavailable()
        return prepay_id

    def jsapi_params(self, prepay_id: str) -> dict:
        return self._pay.jsapi.get_jsapi_params(prepay_id)

    def parse_notification(self, body: bytes) -> PayNotification:
        """Verify a notification's signature. Raises InvalidNotification for anything
        we cannot trust, never another exception."""
        if not body or len(body) > MAX_NOTIFY_BYTES or b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise InvalidNotification("oversized or with a document type")
        try:
            data = self._pay.parse_payment_result(body)
        except (InvalidSignatureException, ValueError, AttributeError, TypeError, KeyError):
            raise InvalidNotification("bad signature or not a notification") from None
        if not isinstance(data, dict):
            raise InvalidNotification("not a notification")
        total = data.get("total_fee")
        return PayNotification(
            appid=data.get("appid"),
            mch_id=data.get("mch_id"),
            out_trade_no=data.get("out_trade_no"),
            transaction_id=data.get("transaction_id"),
            total_fen=total if isinstance(total, int) else None,
            return_ok=data.get("return_code") == "SUCCESS",
            result_ok=data.get("result_code") == "SUCCESS",
        )

    def query_order(self, out_trade_no: str) -> OrderState:
        try:
            result = self._call("orderquery", self._pay.order.query, out_trade_no=out_trade_no)
        except PayRejected as rejected:
            if rejected.err_code == "ORDERNOTEXIST":
                return OrderState("NOT_FOUND")
            raise
        total = result.get("total_fee")  # strings in query results
        return OrderState(
            trade_state=result.get("trade_state", "UNKNOWN"),
            transaction_id=result.get("transaction_id"),
            total_fen=int(total) if total and str(total).isdigit() else None,
        )

    def close_order(self, out_trade_no: str) -> str:
        """ "closed", or "paid" when WeChat says the order was paid meanwhile."""
        try:
            self._call("closeorder", self._pay.order.close, out_trade_no)
        except PayRejected as rejected:
            if rejected.err_code == "ORDERPAID":
                return "paid"
            if rejected.err_code == "ORDERCLOSED":
                return "closed"
            raise
        return "closed"

    def acknowledge(self, ok: bool, message: str = "OK") -> str:
        """The XML answer WeChat expects: SUCCESS stops its retries, FAIL asks for them."""
        return acknowledgement("SUCCESS" if ok else "FAIL", message)

    def _call(self, name: str, fn, *args, **kwargs) -> dict:
        try:
            result = fn(*args, **kwargs)
        except WeChatPayException as exc:
            if exc.return_code is None or exc.errcode in {"SYSTEMERROR", "BIZERR_NEED_RETRY"}:
                log.warning("WeChat Pay %s unavailable (%s)", name, exc.errcode or "HTTP error")
                raise WeChatUnavailable() from None
            raise PayRejected(
                exc.errcode or exc.return_code, exc.errmsg or exc.return_msg
            ) from None
        except (requests.RequestException, ValueError) as exc:
            log.warning("WeChat Pay %s unreachable: %s", name, type(exc).__name__)
            raise WeChatUnavailable() from None
        if not isinstance(result, dict):  # wechatpy hands back raw text it cannot parse
            raise WeChatUnavailable()
        return result


def acknowledgement(code: str, message: str) -> str:
    """The XML answer to a WeChat Pay notification ("SUCCESS" or "FAIL")."""
    return (
        f"<xml><return_code><![CDATA[{code}]]></return_code>"
        f"<return_msg><![CDATA[{message}]]></return_msg></xml>"
    )
