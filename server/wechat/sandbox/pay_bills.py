"""The sandbox's WeChat Pay API v2 daily statement: `POST /pay/downloadbill` (signed
like every v2 call) answers the text WeChat Pay would, rendered from the orders paid
that Beijing day and the refunds that succeeded that day, with its standard fee (0.6%).
A day without a trade gets WeChat Pay's "No Bill Exist" (error_code 20002).

Tests plant differences (`PayState.bill_plants`, or `POST /sandbox/pay/bill-plants`;
`DELETE` clears them), each a dict:

- `{"kind": "drop", "out_trade_no": ...}`: the order's lines are left out;
- `{"kind": "add", "out_trade_no": ..., "total_fen": ..., "day": "YYYY-MM-DD"}`: a
  payment nobody ordered here appears at noon of that day;
- `{"kind": "amount", "out_trade_no": ..., "total_fen": ...}`: its payment line says
  another amount;
- `{"kind": "fee", "out_trade_no": ..., "fee_fen": ...}`: its payment line charges
  another fee;
- `{"kind": "not_ready", "day": "YYYY-MM-DD"}`: "No Bill Exist" for that day;
- `{"kind": "garble", "day": "YYYY-MM-DD"}`: that day's text without its summary.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime, time

from flask import Flask, Response, jsonify, request

from server.wechat.sandbox.bill_lines import day_lines, payment_line
from server.wechat.sandbox.pay import BEIJING, Order, PayState, _fail, _parse
from server.wechat.statement import StatementLine, render, sandbox_fee

NO_BILL = (
    "<xml><return_code><![CDATA[FAIL]]></return_code>"
    "<return_msg><![CDATA[No Bill Exist]]></return_msg>"
    "<error_code><![CDATA[20002]]></error_code></xml>"
)


def register_pay_bills(app: Flask, state: PayState) -> None:
    @app.post("/pay/downloadbill")
    def downloadbill():
        data, error = _parse(state)
        if error:
            return error
        try:
            day = (
                datetime.strptime(data.get("bill_date") or "", "%Y%m%d")
                .replace(tzinfo=BEIJING)
                .date()
            )
        except ValueError:
            return _fail(state, "20001", "invalid bill_date")
        if data.get("bill_type", "ALL") != "ALL":
            return _fail(state, "20001", "invalid bill_type")
        with state.lock:
            lines = statement_lines(state, day)
            plants = list(state.bill_plants)
        if lines is None:
            return Response(NO_BILL, mimetype="text/xml")
        text = render(lines)
        if any(p.get("kind") == "garble" and p.get("day") == day.isoformat() for p in plants):
            text = text.split("总交易单数")[0]
        return Response(text, mimetype="text/plain; charset=utf-8")

    @app.post("/sandbox/pay/bill-plants")
    def plant():
        body = request.get_json(force=True, silent=True) or {}
        with state.lock:
            state.bill_plants.append(dict(body))
        return jsonify({"plants": len(state.bill_plants)})

    @app.delete("/sandbox/pay/bill-plants")
    def clear_plants():
        with state.lock:
            state.bill_plants.clear()
        return jsonify({"plants": 0})


def statement_lines(state: PayState, day: date) -> list[StatementLine] | None:
    """The day's lines with the planted differences, or None: no statement that day."""
    plants = state.bill_plants
    if any(p.get("kind") == "not_ready" and p.get("day") == day.isoformat() for p in plants):
        return None
    lines = day_lines(state.appid, state.mch_id, state.orders, state.refunds.values(), day)
    lines = _planted(lines, plants, state, day)
    if not lines:
        return None
    return sorted(lines, key=lambda line: line.traded_at)


def _planted(
    lines: list[StatementLine], plants: list[dict], state: PayState, day: date
) -> list[StatementLine]:
    for plant in plants:
        kind, number = plant.get("kind"), plant.get("out_trade_no")
        mine = [line for line in lines if line.out_trade_no == number and not line.is_refund]
        if kind == "drop":
            lines = [line for line in lines if line.out_trade_no != number]
        elif kind == "add" and plant.get("day") == day.isoformat():
            lines.append(_foreign(state, day, number, int(plant.get("total_fen") or 100)))
        elif kind == "amount" and mine:
            total = int(plant["total_fen"])
            fee = sandbox_fee(total)
            changed = replace(mine[0], settled_fen=total, order_fen=total, fee_fen=fee)
            lines = [changed if line is mine[0] else line for line in lines]
        elif kind == "fee" and mine:
            changed = replace(mine[0], fee_fen=int(plant["fee_fen"]))
            lines = [changed if line is mine[0] else line for line in lines]
    return lines


def _foreign(state: PayState, day: date, number: str | None, total_fen: int) -> StatementLine:
    number = number or f"FOREIGN{day:%Y%m%d}"
    order = Order(
        out_trade_no=number,
        total_fee=total_fen,
        notify_url="",
        openid=None,
        prepay_id="",
        # the same line every time the day is asked for, as at WeChat Pay
        transaction_id="4200" + hashlib.sha256(number.encode()).hexdigest()[:24],
        paid_at=datetime.combine(day, time(12), BEIJING).timestamp(),
    )
    return payment_line(state.appid, state.mch_id, order)
