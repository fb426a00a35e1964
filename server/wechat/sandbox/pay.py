"""The sandbox's WeChat Pay API v2: unifiedorder, orderquery, closeorder with real
MD5 signatures, and a way to "pay" an order in development, which sends the signed
notification to the backend as WeChat would.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
import xmltodict
from flask import Flask, Response, jsonify, request
from wechatpy.pay.utils import calculate_signature, dict_to_xml

REQUIRED = (
    "appid",
    "mch_id",
    "nonce_str",
    "body",
    "out_trade_no",
    "total_fee",
    "spbill_create_ip",
    "notify_url",
    "trade_type",
    "sign",
)
# time_expire is yyyyMMddHHmmss in Beijing time, as WeChat Pay reads it.
BEIJING = ZoneInfo("Asia/Shanghai")
# WeChat Pay: an order cannot be closed until 5 minutes after it was created. WeChat
# documents the rule, not its answer to an earlier call: the sandbox refuses with a code
# of its own, so a backend that breaks the rule fails its tests.
CLOSE_AFTER_SECONDS = 300
TOO_EARLY = "ORDER_CLOSE_TOO_EARLY"


@dataclass
class Order:
    out_trade_no: str
    total_fee: int
    notify_url: str
    openid: str | None
    prepay_id: str
    state: str = "NOTPAY"
    transaction_id: str | None = None
    created_at: float = field(default_factory=time.time)
    time_expire: str | None = None  # yyyyMMddHHmmss, Beijing time; None: never expires
    paid_at: float | None = None  # epoch seconds, when the resident paid
    description: str = ""

    def expired(self) -> bool:
        """Past its time_expire: WeChat no longer lets anyone pay it (still NOTPAY)."""
        return bool(self.time_expire) and datetime.now(BEIJING) >= wx_time(self.time_expire)


@dataclass
class SandboxRefund:
    """A refund the sandbox holds: PROCESSING until it is settled (SUCCESS, CLOSED or
    ABNORMAL), by the sandbox's own control or a test."""

    out_refund_no: str
    out_trade_no: str
    refund_fen: int
    total_fen: int
    refund_id: str
    notify_url: str | None = None
    reason: str = ""
    status: str = "PROCESSING"
    created_at: float = field(default_factory=time.time)
    succeeded_at: float | None = None


@dataclass
class PayState:
    """One sandbox merchant: its orders and refunds (v2 here; v3 has its own)."""

    appid: str
    mch_id: str
    api_key: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[str, Order] = field(default_factory=dict)
    refunds: dict[str, SandboxRefund] = field(default_factory=dict)
    notifications_sent: int = 0
    # Differences the daily statement is to show (pay_bills.py): tests plant them.
    bill_plants: list[dict] = field(default_factory=list)

    def signed_xml(self, data: dict) -> str:
        data = {k: str(v) for k, v in data.items() if v is not None}
        return dict_to_xml(data, calculate_signature(data, self.api_key))

    def notification(self, order: Order, **overrides) -> bytes:
        """The notification WeChat would send for a paid order (fields overridable,
        so tests can forge wrong amounts or appids — still correctly signed)."""
        data = {
            "return_code": "SUCCESS",
            "result_code": "SUCCESS",
            "appid": self.appid,
            "mch_id": self.mch_id,
            "nonce_str": secrets.token_hex(16),
            "openid": order.openid,
            "trade_type": "JSAPI",
            "bank_type": "OTHERS",
            "total_fee": order.total_fee,
            "cash_fee": order.total_fee,
            "fee_type": "CNY",
            "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no,
            "time_end": time.strftime("%Y%m%d%H%M%S"),
            **overrides,
        }
        return self.signed_xml(data).encode()


def _answer(state: PayState, data: dict) -> Response:
    base = {
        "return_code": "SUCCESS",
        "appid": state.appid,
        "mch_id": state.mch_id,
        "nonce_str": secrets.token_hex(16),
    }
    return Response(state.signed_xml({**base, **data}), mimetype="text/xml")


def _fail(state: PayState, err_code: str, message: str) -> Response:
    return _answer(state, {"result_code": "FAIL", "err_code": err_code, "err_code_des": message})


def _parse(state: PayState) -> tuple[dict | None, Response | None]:
    try:
        data = xmltodict.parse(request.get_data())["xml"]
    except Exception:  # any broken body
        return None, Response(
            state.signed_xml({"return_code": "FAIL", "return_msg": "XML格式错误"}),
            mimetype="text/xml",
        )
    sign = data.pop("sign", None)
    if sign != calculate_signature(data, state.api_key):
        return None, Response(
            state.signed_xml({"return_code": "FAIL", "return_msg": "签名错误"}), mimetype="text/xml"
        )
    if data.get("appid") != state.appid or data.get("mch_id") != state.mch_id:
        return None, _fail(state, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
    return data, None


def wx_time(value: str) -> datetime:
    """WeChat Pay's yyyyMMddHHmmss (Beijing time) as an aware datetime. Raises ValueError."""
    if len(value) != 14:
        raise ValueError(value)
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)


def _valid_time(value: str | None) -> bool:
    """An absent time, or one in WeChat's yyyyMMddHHmmss format."""
    try:
        return value is None or bool(wx_time(value))
    except ValueError:
        return False


def register_pay(app: Flask, state: PayState) -> None:
    @app.post("/pay/unifiedorder")
    def unifiedorder():
        data, error = _parse(state)
        if error:
            return error
        missing = [k for k in REQUIRED if k != "sign" and not data.get(k)]
        if missing or not str(data.get("total_fee", "")).isdigit() or int(data["total_fee"]) <= 0:
            return _fail(state, "PARAM_ERROR", f"参数错误 {missing}")
        if not _valid_time(data.get("time_expire")):
            return _fail(state, "PARAM_ERROR", "time_expire时间格式错误")
        with state.lock:
            existing = state.orders.get(data["out_trade_no"])
            if existing and existing.total_fee != int(data["total_fee"]):
                return _fail(state, "INVALID_REQUEST", "201 商户订单号重复")
            order = existing or Order(
                out_trade_no=data["out_trade_no"],
                total_fee=int(data["total_fee"]),
                notify_url=data["notify_url"],
                openid=data.get("openid"),
                prepay_id="wx" + secrets.token_hex(15),
                time_expire=data.get("time_expire"),
                description=data.get("body", ""),
            )
            state.orders[order.out_trade_no] = order
        return _answer(
            state, {"result_code": "SUCCESS", "prepay_id": order.prepay_id, "trade_type": "JSAPI"}
        )

    @app.post("/pay/orderquery")
    def orderquery():
        data, error = _parse(state)
        if error:
            return error
        order = state.orders.get(data.get("out_trade_no", ""))
        if order is None:
            return _fail(state, "ORDERNOTEXIST", "此交易订单号不存在")
        answer = {
            "result_code": "SUCCESS",
            "out_trade_no": order.out_trade_no,
            "trade_state": order.state,
            "openid": order.openid,
        }
        if order.state == "SUCCESS":
            answer.update(transaction_id=order.transaction_id, total_fee=order.total_fee)
        return _answer(state, answer)

    @app.post("/pay/closeorder")
    def closeorder():
        data, error = _parse(state)
        if error:
            return error
        with state.lock:
            order = state.orders.get(data.get("out_trade_no", ""))
            if order is None:
                return _fail(state, "ORDERNOTEXIST", "订单不存在")
            if order.state == "SUCCESS":
                return _fail(state, "ORDERPAID", "订单已支付")
            if order.state == "CLOSED":
                return _fail(state, "ORDERCLOSED", "订单已关闭")
            if time.time() - order.created_at < CLOSE_AFTER_SECONDS:
                return _fail(
                    state, TOO_EARLY, "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟"
                )
            order.state = "CLOSED"
        return _answer(state, {"result_code": "SUCCESS"})

    _register_dev_controls(app, state)


def _register_dev_controls(app: Flask, state: PayState) -> None:
    @app.post("/sandbox/pay")
    def pay_order():
        """Pay an order as its resident would, then notify the backend (unless
        {"notify": false}: then the notification is lost, for reconciliation). An order
        past its time_expire cannot be paid any more (409 ORDER_EXPIRED), as at WeChat."""
        body = request.get_json(force=True, silent=True) or {}
        with state.lock:
            order = state.orders.get(str(body.get("out_trade_no", "")))
            if order is None or order.state not in ("NOTPAY", "SUCCESS"):
                return jsonify({"error": "no such unpaid order"}), 404
            if order.state == "NOTPAY" and order.expired():
                return jsonify({"error": "order expired", "err_code": "ORDER_EXPIRED"}), 409
            order.state = "SUCCESS"
            order.transaction_id = order.transaction_id or "4200" + secrets.token_hex(12)[:24]
            order.paid_at = order.paid_at or time.time()
        if body.get("notify", True) is False:
            return jsonify({"paid": True, "notified": False})
        try:
            answer = requests.post(
                order.notify_url,
                data=state.notification(order),
                timeout=5,
                headers={"Content-Type": "text/xml"},
            )
            state.notifications_sent += 1
            reply = answer.text
        except requests.RequestException as exc:
            reply = f"notify failed: {type(exc).__name__}"
        return jsonify({"paid": True, "notified": True, "backend_replied": reply})

    @app.get("/sandbox/pay/orders")
    def list_orders():
        with state.lock:
            return jsonify([vars(o) for o in state.orders.values()])
