"""WeChat Pay behind one interface: API v2 (`pay_v2`, wechatpy) and API v3 (`pay_v3`,
wechatpayv3) both implement `PaymentGateway`, so the services never ask which one a
merchant speaks.

Everything a gateway returns is one of the plain values below: amounts in integer
fen, times aware, states as WeChat Pay spells them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from server.wechat.statement import Statement

MAX_NOTIFY_BYTES = 8 * 1024
# WeChat Pay lets an order be closed only 5 minutes after it was created ("订单生成后不能
# 马上调用关单接口，最短调用时间间隔为5分钟"); it documents no answer for an earlier call.
# Our `created_at` is taken before the order reaches WeChat Pay (and its clock is not
# ours): half a minute more, so a close is never sent early.
CLOSE_AFTER = timedelta(minutes=5, seconds=30)


class InvalidNotification(Exception):
    """A notification we cannot trust: bad signature, wrong serial, stale timestamp,
    undecryptable, not XML or JSON, entities, too big."""


class StatementNotReady(Exception):
    """WeChat Pay has no statement for that day (yet, or no trade happened)."""


class PayRejected(Exception):
    """WeChat Pay refused the request for good (err_code says why)."""

    def __init__(self, err_code: str | None, message: str | None):
        super().__init__(f"{err_code}: {message}")
        self.err_code = err_code
        self.message = message


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


@dataclass(frozen=True)
class NotifyAnswer:
    """What to answer a notification over HTTP (v2: XML, always 200; v3: JSON with a
    status WeChat Pay reads: 2xx is done, anything else asks it to retry)."""

    body: str
    status: int
    mimetype: str


@dataclass(frozen=True)
class RefundState:
    """What WeChat Pay says of a refund: PROCESSING, SUCCESS, CLOSED, ABNORMAL or
    NOT_FOUND. `received_by` is where the money went back ("支付用户零钱", a bank card)."""

    status: str
    refund_id: str | None = None
    refund_fen: int | None = None
    succeeded_at: datetime | None = None
    received_by: str | None = None


@dataclass(frozen=True)
class RefundNotice:
    """A verified refund notification (signature checked and decrypted; nothing else)."""

    mch_id: str | None
    out_trade_no: str | None
    out_refund_no: str | None
    refund_id: str | None
    status: str  # SUCCESS, CLOSED, ABNORMAL
    refund_fen: int | None
    total_fen: int | None
    succeeded_at: datetime | None = None
    received_by: str | None = None


class PaymentGateway(Protocol):
    """One merchant's WeChat Pay. Calls raise WeChatUnavailable (unreachable, busy, an
    answer we cannot read) or PayRejected (refused for good); parsing raises
    InvalidNotification and nothing else."""

    version: str  # "v2" or "v3"
    merchant: str  # the merchant's name in our configuration

    @property
    def appid(self) -> str: ...

    @property
    def mch_id(self) -> str: ...

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

    def parse_notification(self, body: bytes, headers: dict | None = None) -> PayNotification: ...

    def query_order(self, out_trade_no: str) -> OrderState: ...

    def close_order(self, out_trade_no: str) -> str: ...

    def acknowledge(self, ok: bool, message: str = "OK") -> NotifyAnswer: ...

    def refund(
        self,
        *,
        out_trade_no: str,
        out_refund_no: str,
        total_fen: int,
        refund_fen: int,
        reason: str,
        notify_url: str,
    ) -> RefundState: ...

    def query_refund(self, out_refund_no: str) -> RefundState: ...

    def parse_refund_notification(
        self, body: bytes, headers: dict | None = None
    ) -> RefundNotice: ...

    def statement(self, day: date) -> Statement: ...


def acknowledgement(code: str, message: str) -> str:
    """The XML answer to a WeChat Pay notification ("SUCCESS" or "FAIL")."""
    return (
        f"<xml><return_code><![CDATA[{code}]]></return_code>"
        f"<return_msg><![CDATA[{message}]]></return_msg></xml>"
    )
