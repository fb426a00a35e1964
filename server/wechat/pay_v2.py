"""WeChat Pay API v2 (MD5-signed XML) through wechatpy, pointed at a configurable base
URL (the sandbox in development, api.mch.weixin.qq.com in production)."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import date, datetime

import requests
import xmltodict
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.exceptions import InvalidSignatureException, WeChatPayException
from wechatpy.pay import WeChatPay

from server.clock import SHANGHAI
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import (
    MAX_NOTIFY_BYTES,
    InvalidNotification,
    NotifyAnswer,
    OrderState,
    PayNotification,
    PayRejected,
    RefundNotice,
    RefundState,
    acknowledgement,
)
from server.wechat.statement import Statement

log = logging.getLogger(__name__)


class WeChatPayV2:
    """PaymentGateway over WeChat Pay API v2 (MD5-signed XML) through wechatpy. Refunds
    need the merchant's API certificate and key (PEM files)."""

    version = "v2"

    def __init__(
        self,
        appid: str,
        mch_id: str,
        api_key: str,
        *,
        api_base: str,
        timeout: float,
        merchant: str = "default",
        cert_file: str | None = None,
        key_file: str | None = None,
    ):
        # never sandbox=True (a prefix WeChat Pay retired)
        self._pay = WeChatPay(
            appid, api_key, mch_id, mch_cert=cert_file, mch_key=key_file, timeout=timeout
        )
        self._pay.API_BASE_URL = api_base
        self.merchant = merchant

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

    def parse_notification(self, body: bytes, headers: dict | None = None) -> PayNotification:
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

    def acknowledge(self, ok: bool, message: str = "OK") -> NotifyAnswer:
        """The XML answer WeChat expects: SUCCESS stops its retries, FAIL asks for them."""
        return NotifyAnswer(acknowledgement("SUCCESS" if ok else "FAIL", message), 200, "text/xml")

    # ----- refunds (need cert_file and key_file) -----

    def refund(
        self, *, out_trade_no, out_refund_no, total_fen, refund_fen, reason, notify_url
    ) -> RefundState:
        """Ask WeChat Pay to refund part or all of a paid order (`secapi/pay/refund`, with
        the merchant certificate when configured). The same out_refund_no makes one refund
        however often it is sent. Raises PayRejected or WeChatUnavailable."""
        result = self._call(
            "refund",
            self._pay.refund.apply,
            total_fen,
            refund_fen,
            out_refund_no,
            out_trade_no=out_trade_no,
            refund_desc=reason[:80] or None,
            notify_url=notify_url,
        )
        return RefundState(
            status="PROCESSING",
            refund_id=result.get("refund_id"),
            refund_fen=_fen(result.get("refund_fee")),
        )

    def query_refund(self, out_refund_no: str) -> RefundState:
        """How a refund stands (`pay/refundquery`): WeChat's v2 states mapped to v3's
        words (REFUNDCLOSE → CLOSED, CHANGE → ABNORMAL); NOT_FOUND when unknown."""
        try:
            result = self._call("refundquery", self._pay.refund.query, out_refund_no=out_refund_no)
        except PayRejected as rejected:
            if rejected.err_code == "REFUNDNOTEXIST":
                return RefundState("NOT_FOUND")
            raise
        index = _refund_index(result, out_refund_no)
        if index is None:
            return RefundState("NOT_FOUND")
        return RefundState(
            status=V2_REFUND_STATES.get(result.get(f"refund_status_{index}"), "PROCESSING"),
            refund_id=result.get(f"refund_id_{index}"),
            refund_fen=_fen(result.get(f"refund_fee_{index}")),
            succeeded_at=_beijing(result.get(f"refund_success_time_{index}")),
            received_by=result.get(f"refund_recv_accout_{index}"),
        )

    def parse_refund_notification(self, body: bytes, headers: dict | None = None) -> RefundNotice:
        """Decrypt and read a refund notification: `req_info` is AES-256-ECB (key: the
        lower-case hex MD5 of the API key, PKCS7 padding). Raises InvalidNotification
        for anything we cannot trust, never another exception."""
        if not body or len(body) > MAX_NOTIFY_BYTES or b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise InvalidNotification("oversized or with a document type")
        try:
            outer = xmltodict.parse(body)["xml"]
            if outer.get("return_code") != "SUCCESS":
                raise InvalidNotification("not a successful notification")
            info = _decrypt_req_info(outer["req_info"], self._pay.api_key)
        except InvalidNotification:
            raise
        except Exception:  # any broken, forged or undecryptable body
            raise InvalidNotification("undecryptable or not a refund notification") from None
        if outer.get("appid") != self.appid or outer.get("mch_id") != self.mch_id:
            raise InvalidNotification("another appid or merchant")
        return RefundNotice(
            mch_id=outer.get("mch_id"),
            out_trade_no=info.get("out_trade_no"),
            out_refund_no=info.get("out_refund_no"),
            refund_id=info.get("refund_id"),
            status=V2_REFUND_STATES.get(info.get("refund_status"), "UNKNOWN"),
            refund_fen=_fen(info.get("refund_fee")),
            total_fen=_fen(info.get("total_fee")),
            succeeded_at=_beijing(info.get("success_time")),
            received_by=info.get("refund_recv_accout"),
        )

    # ----- the daily statement -----

    def statement(self, day: date) -> Statement:
        raise NotImplementedError  # issue 15, statement: being built

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


# WeChat Pay v2's refund states in v3's words (the services read one vocabulary).
V2_REFUND_STATES = {
    "SUCCESS": "SUCCESS",
    "PROCESSING": "PROCESSING",
    "REFUNDCLOSE": "CLOSED",
    "CHANGE": "ABNORMAL",
}


def _fen(value) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None


def _beijing(value: str | None) -> datetime | None:
    """ "2026-12-06 15:26:26" (Beijing time, as v2 writes it) as an aware datetime."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except (TypeError, ValueError):
        return None


def _refund_index(result: dict, out_refund_no: str) -> int | None:
    """Which of the query's numbered refunds (`out_refund_no_0`, ...) is ours."""
    count = _fen(result.get("refund_count")) or 0
    for index in range(count):
        if result.get(f"out_refund_no_{index}") == out_refund_no:
            return index
    return None


def refund_key(api_key: str) -> bytes:
    """The AES-256 key of v2 refund notifications: md5(API key), lower-case hex."""
    return hashlib.md5(api_key.encode()).hexdigest().encode()  # noqa: S324 (WeChat's choice)


def _decrypt_req_info(req_info: str, api_key: str) -> dict:
    cipher = Cipher(algorithms.AES(refund_key(api_key)), modes.ECB()).decryptor()  # noqa: S305
    padded = cipher.update(base64.b64decode(req_info, validate=True)) + cipher.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    if b"<!DOCTYPE" in plain or b"<!ENTITY" in plain:
        raise ValueError("document type in req_info")
    info = xmltodict.parse(plain)["root"]
    if not isinstance(info, dict):
        raise ValueError("empty req_info")
    return info
