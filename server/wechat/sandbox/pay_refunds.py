"""The sandbox's WeChat Pay API v2 refunds, with WeChat's fields and real MD5 signatures:

- `POST /secapi/pay/refund`: a refund of a paid order, PROCESSING until settled. The
  same out_refund_no is the same refund (sent again: the same answer); more than the
  order has left to refund → FAIL `NOTENOUGH` ("累计退款金额大于支付金额"). The
  sandbox does not ask for the merchant's client certificate (no TLS here).
- `POST /pay/refundquery`: by out_refund_no, WeChat's numbered fields
  (`refund_status_0` PROCESSING / SUCCESS / REFUNDCLOSE / CHANGE, `refund_recv_accout_0`,
  `refund_success_time_0`, ...).
- `POST /sandbox/pay/refunds/settle {"out_refund_no", "status": "SUCCESS" | "CLOSED" |
  "ABNORMAL", "notify": true}`: end a refund as WeChat Pay would, then (unless notify
  is false) send the backend the encrypted refund notification (`req_info`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import requests
import xmltodict
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import Flask, jsonify, request

from server.wechat.sandbox.pay import PayState, SandboxRefund, _answer, _fail, _parse

RECEIVED_BY = "支付用户的零钱"
# Our words for how a refund ended, in v2's (the settle control takes either).
V2_STATUS = {
    "SUCCESS": "SUCCESS",
    "CLOSED": "REFUNDCLOSE",
    "REFUNDCLOSE": "REFUNDCLOSE",
    "ABNORMAL": "CHANGE",
    "CHANGE": "CHANGE",
}


def _time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch + 8 * 3600))


def refunded_so_far(state: PayState, out_trade_no: str, but: str | None = None) -> int:
    """What an order has refunded or refunding (closed refunds gave nothing back)."""
    return sum(
        r.refund_fen
        for r in state.refunds.values()
        if r.out_trade_no == out_trade_no and r.out_refund_no != but and r.status != "REFUNDCLOSE"
    )


def refund_notification(state: PayState, refund: SandboxRefund, **overrides) -> bytes:
    """The refund notification WeChat Pay would send (fields of req_info overridable,
    still correctly encrypted)."""
    order = state.orders.get(refund.out_trade_no)
    info = {
        "transaction_id": order.transaction_id if order else None,
        "out_trade_no": refund.out_trade_no,
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "total_fee": refund.total_fen,
        "refund_fee": refund.refund_fen,
        "settlement_refund_fee": refund.refund_fen,
        "refund_status": refund.status,
        "success_time": _time(refund.succeeded_at),
        "refund_recv_accout": RECEIVED_BY,
        "refund_account": "REFUND_SOURCE_RECHARGE_FUNDS",
        "refund_request_source": "API",
        **overrides,
    }
    plain = xmltodict.unparse(
        {"root": {k: str(v) for k, v in info.items() if v is not None}}, full_document=False
    ).encode()
    outer = {
        "return_code": "SUCCESS",
        "appid": state.appid,
        "mch_id": state.mch_id,
        "nonce_str": secrets.token_hex(16),
        "req_info": encrypt_req_info(plain, state.api_key),
    }
    return xmltodict.unparse({"xml": outer}, full_document=False).encode()


def encrypt_req_info(plain: bytes, api_key: str) -> str:
    """AES-256-ECB with md5(API key) in lower-case hex as the key, PKCS7, base64."""
    key = hashlib.md5(api_key.encode()).hexdigest().encode()  # noqa: S324 (WeChat's choice)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def register_pay_refunds(app: Flask, state: PayState) -> None:
    """Register the v2 refund endpoints and the settle control."""

    @app.post("/secapi/pay/refund")
    def refund():
        data, error = _parse(state)
        if error:
            return error
        needed = ("out_refund_no", "total_fee", "refund_fee", "nonce_str")
        amounts = (str(data.get("total_fee", "")), str(data.get("refund_fee", "")))
        if any(not data.get(k) for k in needed) or not all(a.isdigit() for a in amounts):
            return _fail(state, "PARAM_ERROR", "参数错误")
        total, amount = int(data["total_fee"]), int(data["refund_fee"])
        with state.lock:
            order = state.orders.get(data.get("out_trade_no") or "")
            if order is None:
                return _fail(state, "ORDERNOTEXIST", "订单不存在")
            if order.state not in ("SUCCESS", "REFUND"):
                return _fail(state, "TRADE_STATE_ERROR", "订单状态错误")
            if total != order.total_fee or amount <= 0:
                return _fail(state, "INVALID_REQUEST", "订单金额或退款金额与之前请求不一致")
            done = state.refunds.get(data["out_refund_no"])
            if done is not None and (
                done.refund_fen != amount or done.out_trade_no != order.out_trade_no
            ):
                return _fail(state, "INVALID_REQUEST", "同一退款单号的退款金额与之前请求不一致")
            if done is None:
                if refunded_so_far(state, order.out_trade_no) + amount > order.total_fee:
                    return _fail(state, "NOTENOUGH", "累计退款金额大于支付金额")
                done = SandboxRefund(
                    out_refund_no=data["out_refund_no"],
                    out_trade_no=order.out_trade_no,
                    refund_fen=amount,
                    total_fen=order.total_fee,
                    refund_id="5030" + secrets.token_hex(12)[:24],
                    notify_url=data.get("notify_url"),
                    reason=data.get("refund_desc") or "",
                )
                state.refunds[done.out_refund_no] = done
        return _answer(
            state,
            {
                "result_code": "SUCCESS",
                "transaction_id": order.transaction_id,
                "out_trade_no": order.out_trade_no,
                "out_refund_no": done.out_refund_no,
                "refund_id": done.refund_id,
                "refund_fee": done.refund_fen,
                "total_fee": order.total_fee,
                "cash_fee": order.total_fee,
            },
        )

    @app.post("/pay/refundquery")
    def refundquery():
        data, error = _parse(state)
        if error:
            return error
        with state.lock:
            found = state.refunds.get(data.get("out_refund_no") or "")
            if found is None:
                return _fail(state, "REFUNDNOTEXIST", "退款订单查询失败")
            order = state.orders.get(found.out_trade_no)
            answer = {
                "result_code": "SUCCESS",
                "transaction_id": order.transaction_id if order else None,
                "out_trade_no": found.out_trade_no,
                "total_fee": found.total_fen,
                "cash_fee": found.total_fen,
                "refund_count": 1,
                "out_refund_no_0": found.out_refund_no,
                "refund_id_0": found.refund_id,
                "refund_channel_0": "ORIGINAL",
                "refund_fee_0": found.refund_fen,
                "refund_status_0": found.status,
                "refund_account_0": "REFUND_SOURCE_RECHARGE_FUNDS",
                "refund_recv_accout_0": RECEIVED_BY,
                "refund_success_time_0": _time(found.succeeded_at),
            }
        return _answer(state, answer)

    @app.post("/sandbox/pay/refunds/settle")
    def settle_refund():
        """End a refund as WeChat Pay would and (unless "notify": false) notify."""
        body = request.get_json(force=True, silent=True) or {}
        status = V2_STATUS.get(str(body.get("status", "SUCCESS")).upper())
        with state.lock:
            found = state.refunds.get(str(body.get("out_refund_no", "")))
            if found is None or status is None:
                return jsonify({"error": "no such refund, or an unknown status"}), 404
            found.status = status
            if status == "SUCCESS":
                found.succeeded_at = found.succeeded_at or time.time()
            notification = refund_notification(state, found)
        if body.get("notify", True) is False or not found.notify_url:
            return jsonify({"status": status, "notified": False})
        try:
            answer = requests.post(
                found.notify_url,
                data=notification,
                timeout=5,
                headers={"Content-Type": "text/xml"},
            )
            state.notifications_sent += 1
            reply = answer.text
        except requests.RequestException as exc:
            reply = f"notify failed: {type(exc).__name__}"
        return jsonify({"status": status, "notified": True, "backend_replied": reply})
