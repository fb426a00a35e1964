"""WeChat Pay API v3 (JSON, RSA-SHA256 signatures, AEAD_AES_256_GCM notifications)
through the `wechatpayv3` package, its gateway pointed at a configurable base URL
(the sandbox in development, https://api.mch.weixin.qq.com in production).

WeChat Pay is verified with its public key (`public_key_file` + `public_key_id`) or,
for older merchants, with the platform certificates saved in `platform_cert_dir`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import secrets
import zlib
from datetime import date
from pathlib import Path
from urllib.parse import quote

import requests
from cryptography.x509 import load_pem_x509_certificate
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.type import RequestType

from server import clock
from server.clock import SHANGHAI
from server.config_pay import read_secret
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import (
    NotifyAnswer,
    OrderState,
    PayNotification,
    PayRejected,
    RefundNotice,
    RefundState,
    StatementNotReady,
)
from server.wechat.pay_v3_notify import (
    as_fen,
    payment_notification,
    refund_notice,
    rfc3339_time,
    verified,
)
from server.wechat.statement import Statement, parse

log = logging.getLogger(__name__)

# Codes that mean "try again later", whatever the HTTP status says.
RETRY_CODES = {"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "BIZERR_NEED_RETRY"}
SDK_GATEWAY = "https://api.mch.weixin.qq.com"


class WeChatPayV3:
    """PaymentGateway over WeChat Pay API v3 for one merchant. Building it reads the
    merchant's key files and never reaches the network when WeChat Pay's public key or
    a valid platform certificate is at hand."""

    version = "v3"

    def __init__(self, merchant: str, settings: dict, *, api_base: str, timeout: float):
        self.merchant = merchant
        self._settings = settings
        public_key_id = settings.get("public_key_id") if settings.get("public_key_file") else None
        cert_dir = None if public_key_id else settings.get("platform_cert_dir")
        if cert_dir and api_base.rstrip("/") != SDK_GATEWAY and not _has_valid_cert(cert_dir):
            # The SDK would fetch certificates from its own gateway, not ours.
            log.warning("WeChat Pay v3 %s: no valid certificate in platform_cert_dir", merchant)
            raise WeChatUnavailable()
        try:
            self._pay = WeChatPay(
                WeChatPayType.MINIPROG,
                settings["mchid"],
                private_key=read_secret(settings["private_key_file"]),
                cert_serial_no=settings["cert_serial_no"],
                appid=settings["appid"],
                apiv3_key=read_secret(settings["apiv3_key_file"]),
                public_key=read_secret(settings["public_key_file"]) if public_key_id else None,
                public_key_id=public_key_id,
                cert_dir=cert_dir,
                timeout=timeout,
            )
        except Exception as exc:  # without a valid certificate the SDK asks WeChat Pay
            if not isinstance(exc, requests.RequestException) and "certificate" not in str(exc):
                raise  # e.g. 'failed to load private key.': the configuration is wrong
            log.warning("WeChat Pay v3 %s: platform certificates unavailable", merchant)
            raise WeChatUnavailable() from None
        self._core = self._pay._core
        self._core._gate_way = api_base.rstrip("/")
        self._public_key_id = public_key_id

    @property
    def appid(self) -> str:
        return self._settings["appid"]

    @property
    def mch_id(self) -> str:
        return self._settings["mchid"]

    # ----- orders -----

    def create_order(
        self, *, out_trade_no, total_fen, description, openid, client_ip, notify_url, expires_at
    ) -> str:
        """A JSAPI order; returns its prepay_id. Raises PayRejected or WeChatUnavailable."""
        result = self._call(
            "jsapi",
            "/v3/pay/transactions/jsapi",
            RequestType.POST,
            {
                "appid": self.appid,
                "mchid": self.mch_id,
                "description": description,
                "out_trade_no": out_trade_no,
                "time_expire": expires_at.astimezone(SHANGHAI).isoformat(timespec="seconds"),
                "notify_url": notify_url,
                "amount": {"total": total_fen, "currency": "CNY"},
                "payer": {"openid": openid},
                "scene_info": {"payer_client_ip": client_ip},
            },
        )
        prepay_id = result.get("prepay_id")
        if not prepay_id:
            raise WeChatUnavailable()
        return prepay_id

    def jsapi_params(self, prepay_id: str) -> dict:
        """What wx.requestPayment takes: paySign is RSA-SHA256 over appId, timeStamp,
        nonceStr and package, one per line."""
        timestamp = str(int(clock.utcnow().timestamp()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return {
            "appId": self.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self._pay.sign([self.appid, timestamp, nonce, package]),
        }

    def query_order(self, out_trade_no: str) -> OrderState:
        path = (
            f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}?mchid={self.mch_id}"
        )
        try:
            result = self._call("query", path)
        except PayRejected as rejected:
            if rejected.err_code == "ORDER_NOT_EXIST":
                return OrderState("NOT_FOUND")
            raise
        total = (result.get("amount") or {}).get("total")
        return OrderState(
            trade_state=result.get("trade_state") or "UNKNOWN",
            transaction_id=result.get("transaction_id"),
            total_fen=total if isinstance(total, int) else None,
        )

    def close_order(self, out_trade_no: str) -> str:
        """ "closed", or "paid" when WeChat says the order was paid meanwhile."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}/close"
        try:
            self._call("close", path, RequestType.POST, {"mchid": self.mch_id})
        except PayRejected as rejected:
            if rejected.err_code in ("ORDERPAID", "ORDER_PAID"):
                return "paid"
            if rejected.err_code in ("ORDER_CLOSED", "ORDERCLOSED"):
                return "closed"
            raise
        return "closed"

    # ----- notifications -----

    def parse_notification(self, body: bytes, headers: dict | None = None) -> PayNotification:
        """Verify and decrypt a payment notification (TRANSACTION.*). Raises
        InvalidNotification for anything we cannot trust, never another exception."""
        _, resource = verified(self._core, self._public_key_id, body, headers, "TRANSACTION.")
        return payment_notification(resource)

    def acknowledge(self, ok: bool, message: str = "OK") -> NotifyAnswer:
        """204 without a body stops WeChat Pay's retries; a 4xx with {"code": "FAIL"}
        asks for them."""
        if ok:
            return NotifyAnswer("", 204, "application/json")
        body = json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False)
        return NotifyAnswer(body, 400, "application/json")

    # ----- refunds -----

    def refund(
        self, *, out_trade_no, out_refund_no, total_fen, refund_fen, reason, notify_url
    ) -> RefundState:
        """Ask for a refund (the same out_refund_no again is the same refund). Raises
        PayRejected (e.g. NOT_ENOUGH) or WeChatUnavailable."""
        result = self._call(
            "refund",
            "/v3/refund/domestic/refunds",
            RequestType.POST,
            {
                "out_trade_no": out_trade_no,
                "out_refund_no": out_refund_no,
                "reason": reason[:80],  # WeChat Pay: string[1,80], refused if longer
                "notify_url": notify_url,
                "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
            },
        )
        return _refund_state(result)

    def query_refund(self, out_refund_no: str) -> RefundState:
        try:
            result = self._call(
                "refund query", f"/v3/refund/domestic/refunds/{quote(out_refund_no, safe='')}"
            )
        except PayRejected as rejected:
            if rejected.err_code in ("RESOURCE_NOT_EXISTS", "RESOURCE_NOT_EXIST"):
                return RefundState("NOT_FOUND")
            raise
        return _refund_state(result)

    def parse_refund_notification(self, body: bytes, headers: dict | None = None) -> RefundNotice:
        """Verify and decrypt a refund notification (REFUND.SUCCESS, .ABNORMAL, .CLOSED).
        Raises InvalidNotification, never another exception."""
        event, resource = verified(self._core, self._public_key_id, body, headers, "REFUND.")
        return refund_notice(event, resource)

    # ----- the daily statement -----

    def statement(self, day: date) -> Statement:
        """The trade statement (ALL) of a Beijing day. Raises StatementNotReady,
        StatementUnreadable, WeChatUnavailable (also when the file's SHA1 is not the
        one announced) or PayRejected."""
        path = f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL&tar_type=GZIP"
        try:
            bill = self._call("tradebill", path)
        except PayRejected as rejected:
            if rejected.err_code == "NO_STATEMENT_EXIST":
                raise StatementNotReady() from None
            raise
        url = bill.get("download_url")
        if not isinstance(url, str) or not url:
            raise WeChatUnavailable()
        try:
            status, content = self._pay.download_bill(url)
        except requests.RequestException as exc:
            log.warning("WeChat Pay v3 bill download unreachable: %s", type(exc).__name__)
            raise WeChatUnavailable() from None
        if status != 200:
            log.warning("WeChat Pay v3 bill download answered %s", status)
            raise WeChatUnavailable()
        raw = content.encode("utf-8") if isinstance(content, str) else content
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            log.warning("WeChat Pay v3 bill is not the gzip it was asked as")
            raise WeChatUnavailable() from None
        expected = str(bill.get("hash_value") or "").lower()
        digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        if bill.get("hash_type", "SHA1") != "SHA1" or digest != expected:
            log.warning("WeChat Pay v3 bill of %s fails its SHA1", day.isoformat())
            raise WeChatUnavailable()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("WeChat Pay v3 bill is not UTF-8")
            raise WeChatUnavailable() from None
        return parse(text, day)

    # ----- the wire -----

    def _call(self, kind: str, path: str, method=RequestType.GET, data: dict | None = None) -> dict:
        """One signed request, its answer verified: the JSON object (empty for 204).
        Raises WeChatUnavailable (unreachable, 5xx, a retry code, an answer not signed
        by WeChat Pay or not JSON) or PayRejected (a 4xx with a code)."""
        try:
            status, text = self._core.request(path, method=method, data=data)
        except requests.RequestException as exc:
            log.warning("WeChat Pay v3 %s unreachable: %s", kind, type(exc).__name__)
            raise WeChatUnavailable() from None
        except Exception:  # wechatpayv3: 'failed to verify the signature' and the like
            log.warning("WeChat Pay v3 %s answer not verifiable", kind)
            raise WeChatUnavailable() from None
        answer = _json(text)
        if 200 <= status < 300:
            if answer is None and text:
                log.warning("WeChat Pay v3 %s answered %s, not JSON", kind, status)
                raise WeChatUnavailable()
            return answer or {}
        code = answer.get("code") if answer else None
        if status >= 500 or code in RETRY_CODES or not code or status < 400:
            log.warning("WeChat Pay v3 %s unavailable (%s %s)", kind, status, code or "-")
            raise WeChatUnavailable()
        log.info("WeChat Pay v3 %s refused: %s %s", kind, status, code)
        raise PayRejected(code, answer.get("message"))


def _json(text) -> dict | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _refund_state(result: dict) -> RefundState:
    amount = result.get("amount") if isinstance(result.get("amount"), dict) else {}
    return RefundState(
        status=str(result.get("status") or "UNKNOWN"),
        refund_id=result.get("refund_id"),
        refund_fen=as_fen(amount.get("refund")),
        succeeded_at=rfc3339_time(result.get("success_time")),
        received_by=result.get("user_received_account"),
    )


def _has_valid_cert(folder: str) -> bool:
    """Whether the folder holds a platform certificate (<SERIAL>.pem) valid now."""
    now = clock.utcnow()
    for file in Path(folder).glob("*.pem"):
        try:
            cert = load_pem_x509_certificate(file.read_bytes())
        except (OSError, ValueError):
            continue
        if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return True
    return False
