"""The sandbox's API v3 daily trade statement: `GET /v3/bill/tradebill` answers the
SHA1 of the bill and a download URL; the URL (`GET /v3/billdownload/file?token=...`,
signed request, unsigned answer) serves the file, gzipped when tar_type is GZIP.

The bill of a Beijing day holds a line for every order paid that day and every refund
that succeeded that day (fee: `sandbox_fee`, given back on a refund), then
what a test planted (PayStateV3.statement_extra / _changes / _dropped). A day without a
line, or one still to come, has no bill: 400 NO_STATEMENT_EXIST. Unlike WeChat Pay
(from 10:00 the next day), today's bill is served as it stands, so tests need not wait.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import secrets
from datetime import date, datetime

from flask import Flask, Response, request

from server.wechat.sandbox.bill_lines import day_lines
from server.wechat.sandbox.pay import BEIJING
from server.wechat.sandbox.pay_v3_http import checked, error, signed
from server.wechat.sandbox.pay_v3_state import PayStateV3
from server.wechat.statement import StatementLine, render


def statement_lines(state: PayStateV3, day: date) -> list[StatementLine]:
    """The lines of a day's bill, planted differences applied (call with the lock)."""
    lines = day_lines(state.appid, state.mchid, state.orders, state.refunds.values(), day)
    return _planted(state, day, lines)


def _planted(state: PayStateV3, day: date, lines: list[StatementLine]) -> list[StatementLine]:
    out = []
    for line in lines:
        key = line.out_refund_no if line.is_refund else line.out_trade_no
        if key in state.statement_dropped:
            continue
        changes = state.statement_changes.get(key)
        out.append(dataclasses.replace(line, **changes) if changes else line)
    out.extend(x for x in state.statement_extra if x.traded_at.astimezone(BEIJING).date() == day)
    return sorted(out, key=lambda line: line.traded_at)


def register_pay_v3_bills(app: Flask, state: PayStateV3) -> None:
    @app.get("/v3/bill/tradebill")
    def v3_tradebill():
        _, failure = checked(state)
        if failure:
            return failure
        try:
            day = date.fromisoformat(request.args.get("bill_date", ""))
        except ValueError:
            return error(state, 400, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-DD")
        if request.args.get("bill_type", "ALL") != "ALL":
            return error(state, 400, "PARAM_ERROR", "沙箱只提供 bill_type=ALL")
        tar_type = request.args.get("tar_type")
        if tar_type not in (None, "GZIP"):
            return error(state, 400, "PARAM_ERROR", "tar_type 只能是 GZIP")
        with state.lock:
            lines = statement_lines(state, day) if day <= datetime.now(BEIJING).date() else []
            if not lines:
                return error(state, 400, "NO_STATEMENT_EXIST", "账单不存在")
            raw = render(lines).encode("utf-8")
            token = secrets.token_urlsafe(16)
            state.bills[token] = gzip.compress(raw) if tar_type == "GZIP" else raw
        return signed(
            state,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(
                    raw + (b"!" if state.statement_hash_wrong else b""), usedforsecurity=False
                ).hexdigest(),
                "download_url": f"{request.host_url}v3/billdownload/file?token={token}",
            },
        )

    @app.get("/v3/billdownload/file")
    def v3_bill_download():
        _, failure = checked(state)
        if failure:
            return failure
        with state.lock:
            content = state.bills.get(request.args.get("token", ""))
        if content is None:
            return error(state, 404, "RESOURCE_NOT_EXISTS", "账单文件不存在或已过期")
        return Response(content, mimetype="application/octet-stream")
