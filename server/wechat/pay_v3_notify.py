"""WeChat Pay API v3 notifications: what we check before wechatpayv3 verifies the
signature and decrypts the resource, and what we read from the resource.

The SDK alone is not enough: with a Wechatpay-Serial it does not know it fetches
certificates over the network, it never checks Wechatpay-Timestamp (a replayed
notification keeps its old one, and the signature covers it), and it raises bare
Exceptions on malformed input. Everything here raises InvalidNotification instead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from server import clock
from server.clock import SHANGHAI
from server.wechat.pay import MAX_NOTIFY_BYTES, InvalidNotification, PayNotification, RefundNotice

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
NOTIFY_HEADERS = ("Signature", "Timestamp", "Nonce", "Serial", "Signature-Type")
# WeChat Pay asks that a notification more than 5 minutes from now, either way, be
# refused.
NOTIFY_MAX_SKEW = timedelta(minutes=5)


def verified(
    core, public_key_id: str | None, body: bytes, headers, prefix: str
) -> tuple[str, dict]:
    """The event type (starting with `prefix`) and decrypted resource of a notification
    whose size, headers, serial, timestamp and signature hold. `core` is the SDK's
    Core; `public_key_id` None means platform certificates. Raises InvalidNotification."""
    if not body or len(body) > MAX_NOTIFY_BYTES:
        raise InvalidNotification("empty or oversized")
    found = {str(k).lower(): v for k, v in (headers or {}).items()}
    marks = {f"Wechatpay-{name}": found.get(f"wechatpay-{name.lower()}") for name in NOTIFY_HEADERS}
    if not all(isinstance(v, str) and v for v in marks.values()):
        raise InvalidNotification("Wechatpay-* headers missing")
    if marks["Wechatpay-Signature-Type"] != SIGNATURE_TYPE:
        raise InvalidNotification("unknown signature type")
    if not _known_serial(core, public_key_id, marks["Wechatpay-Serial"]):
        raise InvalidNotification("unknown serial")
    _check_timestamp(marks["Wechatpay-Timestamp"])
    try:
        text = body.decode("utf-8")
        envelope = json.loads(text)
    except ValueError:
        raise InvalidNotification("not JSON") from None
    if not isinstance(envelope, dict) or envelope.get("resource_type") != "encrypt-resource":
        raise InvalidNotification("not an encrypted resource")
    try:
        result = core.callback(marks, text)
    except Exception:  # the SDK raises bare Exceptions (algorithm, malformed fields)
        raise InvalidNotification("not verifiable") from None
    if not isinstance(result, dict) or not isinstance(result.get("resource"), dict):
        raise InvalidNotification("bad signature or undecryptable")
    event = str(result.get("event_type") or "")
    if not event.startswith(prefix):
        raise InvalidNotification("another kind of notification")
    return event, result["resource"]


def _known_serial(core, public_key_id: str | None, serial: str) -> bool:
    """Our public key's id, or the serial of a platform certificate the SDK holds
    (loaded from platform_cert_dir, or fetched since by its own answers' checks)."""
    if public_key_id:
        return serial == public_key_id
    try:
        number = int(serial, 16)
    except ValueError:
        return False
    return any(cert.serial_number == number for cert in core._certificates)


def _check_timestamp(value: str) -> None:
    try:
        sent = datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidNotification("bad timestamp") from None
    if abs(clock.utcnow() - sent) > NOTIFY_MAX_SKEW:
        raise InvalidNotification("timestamp too far from now")


def payment_notification(resource: dict) -> PayNotification:
    """A TRANSACTION resource as a PayNotification (appid, merchant and amount are
    checked by the settlement, as for v2)."""
    amount = resource.get("amount") if isinstance(resource.get("amount"), dict) else {}
    return PayNotification(
        appid=resource.get("appid"),
        mch_id=resource.get("mchid"),
        out_trade_no=resource.get("out_trade_no"),
        transaction_id=resource.get("transaction_id"),
        total_fen=as_fen(amount.get("total")),
        return_ok=True,
        result_ok=resource.get("trade_state") == "SUCCESS",
    )


def refund_notice(event: str, resource: dict) -> RefundNotice:
    """A REFUND resource as a RefundNotice."""
    amount = resource.get("amount") if isinstance(resource.get("amount"), dict) else {}
    status = resource.get("refund_status") or event.removeprefix("REFUND.")
    return RefundNotice(
        mch_id=resource.get("mchid"),
        out_trade_no=resource.get("out_trade_no"),
        out_refund_no=resource.get("out_refund_no"),
        refund_id=resource.get("refund_id"),
        status=str(status),
        refund_fen=as_fen(amount.get("refund")),
        total_fen=as_fen(amount.get("total")),
        succeeded_at=rfc3339_time(resource.get("success_time")),
        received_by=resource.get("user_received_account"),
    )


def as_fen(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rfc3339_time(value) -> datetime | None:
    """WeChat Pay's RFC 3339 time ("2026-12-06T10:00:00+08:00") as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)
