"""The sandbox v3 merchant's state and WeChat Pay's side of the v3 cryptography: answers
and notifications signed with the platform key, our requests' Authorization verified
with the merchant's public key, notification resources encrypted with the APIv3 key.

Tests build notifications here, true or forged (`notification`, `refund_notification`):
overrides change what the resource says (still correctly signed), `forge` breaks one
thing WeChat Pay guarantees.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from server import clock
from server.config_pay import (
    SANDBOX_KEYS,
    SANDBOX_V3_MCH_ID,
    SANDBOX_V3_PUBLIC_KEY_ID,
    SANDBOX_V3_SERIAL,
)
from server.wechat.sandbox.pay import BEIJING, Order, SandboxRefund
from server.wechat.statement import StatementLine

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
# The forgeries `notification` can make, each something parse_notification must refuse.
FORGERIES = ("bad_signature", "wrong_serial", "stale", "future", "undecryptable")
AUTHORIZATION = re.compile(r'(\w+)="([^"]*)"')


def rfc3339(epoch: float) -> str:
    """Epoch seconds as WeChat Pay writes times: 2026-12-06T10:00:00+08:00."""
    return datetime.fromtimestamp(epoch, BEIJING).isoformat(timespec="seconds")


@dataclass
class PayStateV3:
    """The sandbox's API v3 merchant: its orders and refunds (the dataclasses of the v2
    sandbox), bills handed out, and what a test planted in the daily statement:

    - `statement_extra`: lines added to the statement of the day they fall on;
    - `statement_changes`: out_trade_no (payment line) or out_refund_no (refund line) →
      StatementLine fields to replace, e.g. {"T1": {"settled_fen": 1}};
    - `statement_dropped`: out_trade_no / out_refund_no whose line is left out;
    - `statement_hash_wrong`: the bill's announced SHA1 is not the file's.
    """

    appid: str
    mchid: str = SANDBOX_V3_MCH_ID
    public_key_id: str = SANDBOX_V3_PUBLIC_KEY_ID
    merchant_serial: str = SANDBOX_V3_SERIAL
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[str, Order] = field(default_factory=dict)
    refunds: dict[str, SandboxRefund] = field(default_factory=dict)
    bills: dict[str, bytes] = field(default_factory=dict)  # download token → file
    notifications_sent: int = 0
    statement_extra: list[StatementLine] = field(default_factory=list)
    statement_changes: dict[str, dict] = field(default_factory=dict)
    statement_dropped: set[str] = field(default_factory=set)
    statement_hash_wrong: bool = False  # announce a SHA1 the file does not have

    def clear_planted(self) -> None:
        """Forget what tests planted in the statement (orders and refunds stay)."""
        with self.lock:
            self.statement_extra.clear()
            self.statement_changes.clear()
            self.statement_dropped.clear()
            self.statement_hash_wrong = False

    def __post_init__(self):
        self._platform_key = load_pem_private_key(
            (SANDBOX_KEYS / "platform_private_key.pem").read_bytes(), password=None
        )
        self._merchant_public_key = load_pem_public_key(
            (SANDBOX_KEYS / "merchant_public_key.pem").read_bytes()
        )
        self.apiv3_key = (SANDBOX_KEYS / "apiv3_key.txt").read_text(encoding="utf-8").strip()

    # ----- signing and verifying -----

    def sign(self, message: str) -> str:
        """RSA-SHA256 with WeChat Pay's (the platform's) private key, base64."""
        signature = self._platform_key.sign(message.encode("utf-8"), PKCS1v15(), SHA256())
        return base64.b64encode(signature).decode("ascii")

    def signed_headers(
        self, body: str, *, serial: str | None = None, timestamp: int | None = None
    ) -> dict:
        """The Wechatpay-* headers WeChat Pay puts on an answer or a notification."""
        stamp = str(timestamp if timestamp is not None else int(clock.utcnow().timestamp()))
        nonce = secrets.token_hex(16)
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": self.sign(f"{stamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": serial or self.public_key_id,
            "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        }

    def authorized(self, method: str, url_path: str, body: str, authorization: str) -> bool:
        """Whether a request carries the merchant's valid Authorization (mchid, serial, a
        timestamp within 5 minutes, the RSA signature over method, path, timestamp,
        nonce and body)."""
        scheme, _, rest = (authorization or "").partition(" ")
        fields = dict(AUTHORIZATION.findall(rest))
        if scheme != SIGNATURE_TYPE or fields.get("mchid") != self.mchid:
            return False
        if fields.get("serial_no") != self.merchant_serial:
            return False
        try:  # WeChat Pay refuses a request signed more than 5 minutes from its clock
            if abs(clock.utcnow().timestamp() - int(fields.get("timestamp", ""))) > 300:
                return False
        except ValueError:
            return False
        message = f"{method}\n{url_path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n"
        try:
            signature = base64.b64decode(fields.get("signature", ""), validate=True)
            self._merchant_public_key.verify(
                signature, f"{message}{body}\n".encode(), PKCS1v15(), SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def encrypt(self, resource: dict, original_type: str, *, key: str | None = None) -> dict:
        """A notification's resource, AEAD_AES_256_GCM with the APIv3 key."""
        nonce = secrets.token_hex(6)  # 12 characters, used as its bytes
        associated = original_type
        plain = json.dumps(resource, ensure_ascii=False).encode("utf-8")
        cipher = AESGCM((key or self.apiv3_key).encode()).encrypt(
            nonce.encode(), plain, associated.encode()
        )
        return {
            "original_type": original_type,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(cipher).decode("ascii"),
            "associated_data": associated,
            "nonce": nonce,
        }

    # ----- notifications -----

    def transaction(self, order: Order, **overrides) -> dict:
        """An order as WeChat Pay describes it (query answer, notification resource)."""
        data = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": order.out_trade_no,
            "trade_type": "JSAPI",
            "trade_state": order.state,
            "trade_state_desc": TRADE_STATE_DESC.get(order.state, order.state),
            "payer": {"openid": order.openid},
            "amount": {"currency": "CNY", "payer_currency": "CNY"},
        }
        if order.transaction_id and order.state in ("SUCCESS", "REFUND"):
            data.update(
                transaction_id=order.transaction_id,
                bank_type="OTHERS",
                attach="",
                success_time=rfc3339(order.paid_at or time.time()),
            )
            data["amount"].update(total=order.total_fee, payer_total=order.total_fee)
        for key in ("appid", "mchid", "trade_state"):
            if key in overrides:
                data[key] = overrides.pop(key)
        if "amount" in overrides:
            data["amount"] = {**data["amount"], "total": overrides.pop("amount")}
        data.update(overrides)
        return data

    def refund_resource(self, refund: SandboxRefund, **overrides) -> dict:
        order = self.orders.get(refund.out_trade_no)
        data = {
            "mchid": self.mchid,
            "out_trade_no": refund.out_trade_no,
            "transaction_id": order.transaction_id if order else None,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": refund.status,
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": refund.total_fen,
                "refund": refund.refund_fen,
                "payer_total": refund.total_fen,
                "payer_refund": refund.refund_fen,
            },
        }
        if refund.succeeded_at:
            data["success_time"] = rfc3339(refund.succeeded_at)
        if "amount" in overrides:
            data["amount"] = {**data["amount"], "refund": overrides.pop("amount")}
        data.update(overrides)
        return data

    def notification(self, order: Order, *, forge: str | None = None, **overrides):
        """(headers, body) of the TRANSACTION.SUCCESS notification of an order.
        Overrides: amount (fen), mchid, appid, trade_state, any other resource field.
        forge: one of FORGERIES."""
        resource = self.transaction(order, **overrides)
        return self._envelope("TRANSACTION.SUCCESS", "支付成功", "transaction", resource, forge)

    def refund_notification(self, refund: SandboxRefund, *, forge: str | None = None, **overrides):
        """(headers, body) of the REFUND.<status> notification of a refund. Overrides:
        amount (refund fen), mchid, refund_status, any other resource field."""
        resource = self.refund_resource(refund, **overrides)
        status = resource.get("refund_status") or refund.status
        event = f"REFUND.{status}"
        return self._envelope(event, REFUND_SUMMARY.get(status, status), "refund", resource, forge)

    def _envelope(self, event: str, summary: str, kind: str, resource: dict, forge: str | None):
        if forge not in (None, *FORGERIES):
            raise ValueError(f"forge must be one of {FORGERIES}")
        key = secrets.token_hex(16) if forge == "undecryptable" else None
        now = int(clock.utcnow().timestamp())
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "create_time": rfc3339(now),
                "resource_type": "encrypt-resource",
                "event_type": event,
                "summary": summary,
                "resource": self.encrypt(resource, kind, key=key),
            },
            ensure_ascii=False,
        )
        # A minute past WeChat Pay's 5-minute window either way: still outside it when
        # the notification reaches the app seconds later on a busy machine.
        stamp = {"stale": now - 360, "future": now + 360}.get(forge or "", now)
        serial = (
            "PUB_KEY_ID_0119000003000000000000000000000099" if forge == "wrong_serial" else None
        )
        headers = self.signed_headers(body, serial=serial, timestamp=stamp)
        if forge == "bad_signature":
            headers["Wechatpay-Signature"] = self.sign(
                f"{stamp}\n{headers['Wechatpay-Nonce']}\n{{}}\n"
            )
        return headers, body.encode("utf-8")


TRADE_STATE_DESC = {
    "SUCCESS": "支付成功",
    "NOTPAY": "未支付",
    "CLOSED": "已关闭",
    "REFUND": "转入退款",
}
REFUND_SUMMARY = {"SUCCESS": "退款成功", "CLOSED": "退款关闭", "ABNORMAL": "退款异常"}
