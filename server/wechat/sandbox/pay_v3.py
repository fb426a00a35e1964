"""The sandbox's WeChat Pay API v3, for the sandbox v3 merchant (server/config_pay.py):
JSAPI orders, order query and close, refunds and their query, each answer signed as
WeChat Pay signs it and each request's Authorization checked; the daily statement is
in `pay_v3_bills`.

Errors are WeChat Pay's JSON {"code", "message"} with its statuses. Where WeChat
documents no answer the sandbox picks one and says so: closing a paid order answers
400 ORDERPAID (API v2's code, which WeChat Pay keeps in v3), closing within 5 minutes
400 ORDER_CLOSE_TOO_EARLY (the v2 sandbox's own code), a refund above what is left of
the order 400 NOT_ENOUGH.

Dev controls (no signature): `POST /sandbox/pay/v3/pay {"out_trade_no", "notify": true}`
pays an order and sends the encrypted TRANSACTION.SUCCESS notification to its
notify_url; `POST /sandbox/pay/v3/refunds/settle {"out_refund_no", "status":
"SUCCESS"|"CLOSED"|"ABNORMAL", "notify": true}` ends a refund and sends REFUND.<status>.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

import requests
from flask import Flask, jsonify, request

from server.wechat.sandbox.pay import BEIJING, CLOSE_AFTER_SECONDS, TOO_EARLY, Order, SandboxRefund
from server.wechat.sandbox.pay_v3_bills import register_pay_v3_bills
from server.wechat.sandbox.pay_v3_http import checked, error, signed
from server.wechat.sandbox.pay_v3_state import PayStateV3, rfc3339

REFUND_ENDINGS = ("SUCCESS", "CLOSED", "ABNORMAL")
# WeChat Pay refuses a refund reason longer than this (v3: string[1,80]).
REASON_MAX = 80


def register_pay_v3(app: Flask) -> None:
    """Register the v3 endpoints; the v3 state goes to app.extensions["sandbox_pay_v3"]."""
    state = PayStateV3(appid=app.extensions["sandbox"].appid)
    app.extensions["sandbox_pay_v3"] = state
    _register_orders(app, state)
    _register_refunds(app, state)
    register_pay_v3_bills(app, state)
    _register_dev_controls(app, state)


def _expire(value) -> str | None:
    """An RFC 3339 time_expire as the v2 sandbox's yyyyMMddHHmmss (Beijing), so
    Order.expired() reads both. Raises ValueError."""
    if value is None:
        return None
    at = datetime.fromisoformat(str(value))
    if at.tzinfo is None or "T" not in str(value):
        raise ValueError(value)
    return at.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def _register_orders(app: Flask, state: PayStateV3) -> None:
    @app.post("/v3/pay/transactions/jsapi")
    def v3_jsapi():
        data, failure = checked(state)
        if failure:
            return failure
        total = (data.get("amount") or {}).get("total")
        openid = (data.get("payer") or {}).get("openid")
        required = ("appid", "mchid", "description", "out_trade_no", "notify_url")
        if any(not data.get(k) for k in required) or not openid:
            return error(state, 400, "PARAM_ERROR", "缺少必填参数")
        if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
            return error(state, 400, "PARAM_ERROR", "amount.total 应为正整数")
        if data["appid"] != state.appid or data["mchid"] != state.mchid:
            return error(state, 400, "APPID_MCHID_NOT_MATCH", "AppID和mch_id不匹配")
        try:
            expire = _expire(data.get("time_expire"))
        except ValueError:
            return error(state, 400, "PARAM_ERROR", "time_expire 格式错误")
        with state.lock:
            existing = state.orders.get(data["out_trade_no"])
            if existing and existing.total_fee != total:
                return error(state, 400, "INVALID_REQUEST", "201 商户订单号重复")
            if existing and existing.state in ("SUCCESS", "REFUND"):
                return error(state, 400, "ORDERPAID", "订单已支付")
            if existing and existing.state == "CLOSED":
                return error(state, 400, "ORDER_CLOSED", "订单已关闭")
            order = existing or Order(
                out_trade_no=data["out_trade_no"],
                total_fee=total,
                notify_url=data["notify_url"],
                openid=openid,
                prepay_id="wx" + secrets.token_hex(15),
                time_expire=expire,
                description=data["description"],
            )
            state.orders[order.out_trade_no] = order
        return signed(state, {"prepay_id": order.prepay_id})

    @app.get("/v3/pay/transactions/out-trade-no/<out_trade_no>")
    def v3_query(out_trade_no):
        _, failure = checked(state)
        if failure:
            return failure
        if request.args.get("mchid") != state.mchid:
            return error(state, 400, "PARAM_ERROR", "mchid 与订单不符")
        with state.lock:
            order = state.orders.get(out_trade_no)
            if order is None:
                return error(state, 404, "ORDER_NOT_EXIST", "订单不存在")
            return signed(state, state.transaction(order))

    @app.post("/v3/pay/transactions/out-trade-no/<out_trade_no>/close")
    def v3_close(out_trade_no):
        data, failure = checked(state)
        if failure:
            return failure
        if data.get("mchid") != state.mchid:
            return error(state, 400, "PARAM_ERROR", "mchid 与订单不符")
        with state.lock:
            order = state.orders.get(out_trade_no)
            if order is None:
                return error(state, 404, "ORDER_NOT_EXIST", "订单不存在")
            if order.state in ("SUCCESS", "REFUND"):
                return error(state, 400, "ORDERPAID", "订单已支付")
            if order.state == "CLOSED":
                return error(state, 400, "ORDER_CLOSED", "订单已关闭")
            if time.time() - order.created_at < CLOSE_AFTER_SECONDS:
                message = "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟"
                return error(state, 400, TOO_EARLY, message)
            order.state = "CLOSED"
        return signed(state, None, 204)


def refund_answer(state: PayStateV3, refund: SandboxRefund) -> dict:
    """A refund as WeChat Pay answers its creation and its query."""
    resource = state.refund_resource(refund)
    answer = {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": resource["transaction_id"],
        "out_trade_no": refund.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": resource["user_received_account"],
        "create_time": rfc3339(refund.created_at),
        "status": refund.status,
        "funds_account": "AVAILABLE",
        "amount": {**resource["amount"], "currency": "CNY", "settlement_refund": refund.refund_fen},
    }
    if refund.succeeded_at:
        answer["success_time"] = rfc3339(refund.succeeded_at)
    return answer


def _refund_left(state: PayStateV3, order: Order) -> int:
    taken = sum(
        r.refund_fen
        for r in state.refunds.values()
        if r.out_trade_no == order.out_trade_no and r.status != "CLOSED"
    )
    return order.total_fee - taken


def _register_refunds(app: Flask, state: PayStateV3) -> None:
    @app.post("/v3/refund/domestic/refunds")
    def v3_refund():
        data, failure = checked(state)
        if failure:
            return failure
        amount = data.get("amount") or {}
        refund_fen, total = amount.get("refund"), amount.get("total")
        if not data.get("out_refund_no") or not data.get("out_trade_no"):
            return error(state, 400, "PARAM_ERROR", "缺少 out_refund_no 或 out_trade_no")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (refund_fen, total)):
            return error(state, 400, "PARAM_ERROR", "amount.refund 与 amount.total 应为整数")
        with state.lock:
            existing = state.refunds.get(data["out_refund_no"])
            if existing:
                if (
                    existing.out_trade_no != data["out_trade_no"]
                    or existing.refund_fen != refund_fen
                ):
                    return error(
                        state, 400, "INVALID_REQUEST", "退款单号重复，且参数与原退款不一致"
                    )
                return signed(state, refund_answer(state, existing))
            order = state.orders.get(data["out_trade_no"])
            if order is None:
                return error(state, 404, "RESOURCE_NOT_EXISTS", "订单不存在")
            if order.state not in ("SUCCESS", "REFUND"):
                return error(state, 400, "INVALID_REQUEST", "订单未支付，不能退款")
            if total != order.total_fee or refund_fen <= 0:
                return error(state, 400, "PARAM_ERROR", "订单金额或退款金额与原订单不符")
            if refund_fen > _refund_left(state, order):
                return error(state, 400, "NOT_ENOUGH", "退款金额超过订单可退金额")
            if len(str(data.get("reason") or "")) > REASON_MAX:  # WeChat Pay: string[1,80]
                return error(state, 400, "PARAM_ERROR", "退款原因超过 80 个字符")
            refund = SandboxRefund(
                out_refund_no=data["out_refund_no"],
                out_trade_no=order.out_trade_no,
                refund_fen=refund_fen,
                total_fen=total,
                refund_id="50" + secrets.token_hex(14),
                notify_url=data.get("notify_url"),
                reason=str(data.get("reason") or ""),
            )
            state.refunds[refund.out_refund_no] = refund
            order.state = "REFUND"
            return signed(state, refund_answer(state, refund))

    @app.get("/v3/refund/domestic/refunds/<out_refund_no>")
    def v3_refund_query(out_refund_no):
        _, failure = checked(state)
        if failure:
            return failure
        with state.lock:
            refund = state.refunds.get(out_refund_no)
            if refund is None:
                return error(state, 404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return signed(state, refund_answer(state, refund))


def _send(state: PayStateV3, url: str | None, headers: dict, body: bytes) -> dict:
    if not url:
        return {"notified": False}
    try:
        answer = requests.post(
            url, data=body, timeout=5, headers={**headers, "Content-Type": "application/json"}
        )
    except requests.RequestException as exc:
        return {"notified": True, "backend_status": None, "backend_replied": type(exc).__name__}
    with state.lock:
        state.notifications_sent += 1
    return {"notified": True, "backend_status": answer.status_code, "backend_replied": answer.text}


def _register_dev_controls(app: Flask, state: PayStateV3) -> None:
    @app.post("/sandbox/pay/v3/pay")
    def v3_pay_order():
        """Pay an order as its resident would, then notify the backend (unless
        {"notify": false}). An order past its time_expire answers 409 ORDER_EXPIRED."""
        body = request.get_json(force=True, silent=True) or {}
        with state.lock:
            order = state.orders.get(str(body.get("out_trade_no", "")))
            if order is None or order.state not in ("NOTPAY", "SUCCESS"):
                return jsonify({"error": "no such unpaid order"}), 404
            if order.state == "NOTPAY" and order.expired():
                return jsonify({"error": "order expired", "err_code": "ORDER_EXPIRED"}), 409
            order.state = "SUCCESS"
            order.transaction_id = order.transaction_id or "4200" + secrets.token_hex(12)
            order.paid_at = order.paid_at or time.time()
            headers, payload = state.notification(order)
        if body.get("notify", True) is False:
            return jsonify({"paid": True, "notified": False})
        return jsonify({"paid": True, **_send(state, order.notify_url, headers, payload)})

    @app.post("/sandbox/pay/v3/refunds/settle")
    def v3_settle_refund():
        """End a PROCESSING refund (SUCCESS, CLOSED or ABNORMAL) and notify the backend
        (unless {"notify": false})."""
        body = request.get_json(force=True, silent=True) or {}
        status = body.get("status", "SUCCESS")
        if status not in REFUND_ENDINGS:
            return jsonify({"error": f"status must be one of {REFUND_ENDINGS}"}), 400
        with state.lock:
            refund = state.refunds.get(str(body.get("out_refund_no", "")))
            if refund is None:
                return jsonify({"error": "no such refund"}), 404
            refund.status = status
            if status == "SUCCESS":
                refund.succeeded_at = refund.succeeded_at or time.time()
            headers, payload = state.refund_notification(refund)
        if body.get("notify", True) is False:
            return jsonify({"settled": status, "notified": False})
        return jsonify({"settled": status, **_send(state, refund.notify_url, headers, payload)})

    @app.get("/sandbox/pay/v3/orders")
    def v3_list_orders():
        with state.lock:
            orders = [vars(o) for o in state.orders.values()]
            refunds = [vars(r) for r in state.refunds.values()]
        return jsonify({"orders": orders, "refunds": refunds})
