"""WeChat Pay's daily trade statement (交易账单, bill type ALL), read into plain values.

API v2 (`downloadbill`) and API v3 (`tradebill`, then its download URL) hand out the
same text: a header line of Chinese column names, one line per trade or refund with
every field prefixed by a backtick (so spreadsheets keep long numbers as text), then
a summary header and its line. Amounts are yuan with two decimals; we keep fen.

A refund line has 交易状态 REFUND, its refund in 退款金额, and the service fee WeChat
Pay gives back as a negative 手续费.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from server.clock import SHANGHAI

# The columns of a trade statement of type ALL, in WeChat Pay's order.
COLUMNS = (
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
)
SUMMARY_COLUMNS = (
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
)


class StatementUnreadable(ValueError):
    """The text is not a trade statement we can read (the message says where)."""


@dataclass(frozen=True)
class StatementLine:
    traded_at: datetime  # aware, Asia/Shanghai
    appid: str
    mch_id: str
    transaction_id: str
    out_trade_no: str
    trade_state: str  # SUCCESS (a payment) or REFUND (a refund)
    settled_fen: int  # 应结订单金额
    order_fen: int  # 订单金额
    refund_id: str | None
    out_refund_no: str | None
    refund_fen: int  # 退款金额 (0 on a payment line)
    refund_status: str | None
    fee_fen: int  # 手续费: positive on a payment, negative when given back on a refund
    rate: str  # 费率, e.g. "0.60%"

    @property
    def is_refund(self) -> bool:
        return self.trade_state == "REFUND"


@dataclass(frozen=True)
class Statement:
    day: date
    lines: tuple[StatementLine, ...]
    total_count: int
    settled_fen: int
    refund_fen: int
    fee_fen: int


def fen(value: str, where: str) -> int:
    """ "12.34" (yuan, maybe signed) → 1234. Raises StatementUnreadable."""
    try:
        amount = Decimal(value or "0") * 100
    except InvalidOperation:
        raise StatementUnreadable(f"{where}: {value!r} is not an amount") from None
    if amount != amount.to_integral_value():
        raise StatementUnreadable(f"{where}: {value!r} has more than two decimals")
    return int(amount)


def yuan(amount_fen: int) -> str:
    """1234 → "12.34", -5 → "-0.05" (the statement's way of writing money)."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _cells(row: list[str]) -> list[str]:
    return [cell.strip().lstrip("`").strip() for cell in row]


def parse(text: str, day: date) -> Statement:
    """A statement's text as a Statement. Raises StatementUnreadable for anything that
    is not one: a missing column, a line of the wrong width, a bad amount or time, or
    a summary that disagrees with the lines."""
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(row)]
    if not rows:
        raise StatementUnreadable("empty statement")
    header = _cells(rows[0])
    missing = [column for column in COLUMNS[:24] if column not in header]
    if missing:
        raise StatementUnreadable(f"header lacks {', '.join(missing)}")
    index = {name: i for i, name in enumerate(header)}
    try:
        summary_at = next(i for i, row in enumerate(rows) if _cells(row)[0] == SUMMARY_COLUMNS[0])
    except StopIteration:
        raise StatementUnreadable("no summary") from None
    lines = tuple(
        _line(_cells(row), index, f"line {number}")
        for number, row in enumerate(rows[1:summary_at], start=2)
    )
    if summary_at + 1 >= len(rows):
        raise StatementUnreadable("summary without its values")
    totals = dict(zip(_cells(rows[summary_at]), _cells(rows[summary_at + 1]), strict=False))
    statement = Statement(
        day=day,
        lines=lines,
        total_count=int(totals.get("总交易单数", "0") or 0),
        settled_fen=fen(totals.get("应结订单总金额", "0"), "summary"),
        refund_fen=fen(totals.get("退款总金额", "0"), "summary"),
        fee_fen=fen(totals.get("手续费总金额", "0"), "summary"),
    )
    _check_totals(statement)
    return statement


def _line(cells: list[str], index: dict[str, int], where: str) -> StatementLine:
    if len(cells) < len(index):
        raise StatementUnreadable(f"{where}: {len(cells)} fields, expected {len(index)}")

    def cell(name: str) -> str:
        return cells[index[name]] if name in index else ""

    try:
        at = datetime.strptime(cell("交易时间"), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise StatementUnreadable(f"{where}: bad time {cell('交易时间')!r}") from None
    return StatementLine(
        traded_at=at,
        appid=cell("公众账号ID"),
        mch_id=cell("商户号"),
        transaction_id=cell("微信订单号"),
        out_trade_no=cell("商户订单号"),
        trade_state=cell("交易状态"),
        settled_fen=fen(cell("应结订单金额"), where),
        order_fen=fen(cell("订单金额") or cell("应结订单金额"), where),
        refund_id=cell("微信退款单号") or None,
        out_refund_no=cell("商户退款单号") or None,
        refund_fen=fen(cell("退款金额"), where),
        refund_status=cell("退款状态") or None,
        fee_fen=fen(cell("手续费"), where),
        rate=cell("费率"),
    )


def _check_totals(statement: Statement) -> None:
    payments = [line for line in statement.lines if not line.is_refund]
    if statement.total_count != len(statement.lines):
        raise StatementUnreadable(
            f"summary counts {statement.total_count} trades, the lines {len(statement.lines)}"
        )
    if statement.settled_fen != sum(line.settled_fen for line in payments):
        raise StatementUnreadable("summary's settled total differs from the lines")
    if statement.refund_fen != sum(line.refund_fen for line in statement.lines if line.is_refund):
        raise StatementUnreadable("summary's refund total differs from the lines")
    if statement.fee_fen != sum(line.fee_fen for line in statement.lines):
        raise StatementUnreadable("summary's fee total differs from the lines")


def render(lines: list[StatementLine]) -> str:
    """A statement's text from its lines, as WeChat Pay writes it (the sandbox serves
    this; tests plant differences by changing a line before rendering)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            "`" + value
            for value in (
                line.traded_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                line.appid,
                line.mch_id,
                "0",
                "",
                line.transaction_id,
                line.out_trade_no,
                "oSANDBOX",
                "JSAPI",
                line.trade_state,
                "OTHERS",
                "CNY",
                yuan(line.settled_fen),
                "0.00",
                line.refund_id or "0",
                line.out_refund_no or "0",
                yuan(line.refund_fen),
                "0.00",
                "ORIGINAL" if line.is_refund else "",
                line.refund_status or "",
                "邻里-物业自治费用",
                "",
                yuan(line.fee_fen),
                line.rate,
                yuan(line.order_fen),
                yuan(line.refund_fen),
                "",
            )
        )
    payments = [line for line in lines if not line.is_refund]
    writer.writerow(SUMMARY_COLUMNS)
    writer.writerow(
        "`" + value
        for value in (
            str(len(lines)),
            yuan(sum(line.settled_fen for line in payments)),
            yuan(sum(line.refund_fen for line in lines if line.is_refund)),
            "0.00",
            yuan(sum(line.fee_fen for line in lines)),
            yuan(sum(line.order_fen for line in payments)),
            yuan(sum(line.refund_fen for line in lines if line.is_refund)),
        )
    )
    return out.getvalue()


# WeChat Pay's standard rate for this kind of merchant (0.6%), rounded half up to a fen;
# the sandbox charges it, the real statement says what was charged.
SANDBOX_RATE = Decimal("0.006")


def sandbox_fee(amount_fen: int) -> int:
    return int(
        (Decimal(amount_fen) * SANDBOX_RATE).quantize(Decimal("1"), rounding="ROUND_HALF_UP")
    )
