"""WeChat Pay API v3 through WeChatPayV3, against the sandbox over HTTP: orders and their
pay parameters, query and close, refunds, the daily statement, every notification we
must refuse, and a start-up that never needs the network."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from datetime import date, datetime, time, timedelta

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    load_pem_private_key,
    load_pem_public_key,
)
from cryptography.x509.oid import NameOID
from flask import Flask, request
from freezegun import freeze_time
from werkzeug.serving import make_server

from server.clock import SHANGHAI, utcnow
from server.config_pay import SANDBOX_KEYS, SANDBOX_V3_MERCHANT, sandbox_v3
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import InvalidNotification, PayRejected, StatementNotReady
from server.wechat.pay_v3 import WeChatPayV3
from server.wechat.statement import StatementLine
from tests.timing import day


def gateway(sandbox, base: str | None = None, **settings) -> WeChatPayV3:
    merged = {**sandbox_v3(sandbox.pay_v3.appid), **settings}
    return WeChatPayV3(SANDBOX_V3_MERCHANT, merged, api_base=base or sandbox.url, timeout=5)


def order(pay: WeChatPayV3, total_fen: int = 3850, **extra) -> tuple[str, str]:
    out_trade_no = "T" + secrets.token_hex(8)
    prepay_id = pay.create_order(
        out_trade_no=out_trade_no,
        total_fen=total_fen,
        description="邻里-物业费",
        openid="o-resident-1",
        client_ip="127.0.0.1",
        notify_url=extra.get("notify_url", "http://127.0.0.1:9/notify"),
        expires_at=extra.get("expires_at", utcnow() + timedelta(minutes=30)),
    )
    return out_trade_no, prepay_id


def pay_in_sandbox(sandbox, out_trade_no: str, notify: bool = False) -> dict:
    body = {"out_trade_no": out_trade_no, "notify": notify}
    answer = requests.post(sandbox.url + "sandbox/pay/v3/pay", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


def paid_on(sandbox, out_trade_no: str) -> date:
    """The Beijing day an order was paid in the sandbox (its statement's day)."""
    return datetime.fromtimestamp(sandbox.pay_v3.orders[out_trade_no].paid_at, SHANGHAI).date()


def settle(sandbox, out_refund_no: str, status: str = "SUCCESS", notify: bool = False) -> dict:
    body = {"out_refund_no": out_refund_no, "status": status, "notify": notify}
    answer = requests.post(sandbox.url + "sandbox/pay/v3/refunds/settle", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def pay(sandbox):
    return gateway(sandbox)


def cut_off(monkeypatch) -> list:
    """From now on every HTTP request through requests is recorded and fails."""
    attempts = []

    def refuse(self, method, url, *args, **kwargs):
        attempts.append((method, url))
        raise requests.ConnectionError("no network in this test")

    monkeypatch.setattr(requests.Session, "request", refuse)
    return attempts


# ----- orders -----


def test_an_order_gives_pay_params_signed_for_the_merchant(sandbox, pay):
    out_trade_no, prepay_id = order(pay, 3850, expires_at=day(1, "04:00"))
    held = sandbox.pay_v3.orders[out_trade_no]
    assert (held.total_fee, held.openid, held.description) == (3850, "o-resident-1", "邻里-物业费")
    assert held.time_expire == day(1, "04:00").strftime("%Y%m%d") + "120000"  # Beijing time

    params = pay.jsapi_params(prepay_id)
    assert params["package"] == f"prepay_id={prepay_id}"
    assert params["signType"] == "RSA"
    assert params["appId"] == sandbox.pay_v3.appid
    message = "\n".join(
        [params["appId"], params["timeStamp"], params["nonceStr"], params["package"]]
    )
    key = load_pem_public_key((SANDBOX_KEYS / "merchant_public_key.pem").read_bytes())
    key.verify(base64.b64decode(params["paySign"]), (message + "\n").encode(), PKCS1v15(), SHA256())


def test_the_same_order_number_with_another_amount_is_refused(pay):
    out_trade_no, prepay_id = order(pay, 1000)
    again = pay.create_order(
        out_trade_no=out_trade_no,
        total_fen=1000,
        description="邻里-物业费",
        openid="o-resident-1",
        client_ip="127.0.0.1",
        notify_url="http://127.0.0.1:9/notify",
        expires_at=utcnow() + timedelta(minutes=30),
    )
    assert again == prepay_id
    with pytest.raises(PayRejected) as refused:
        pay.create_order(
            out_trade_no=out_trade_no,
            total_fen=1001,
            description="邻里-物业费",
            openid="o-resident-1",
            client_ip="127.0.0.1",
            notify_url="http://127.0.0.1:9/notify",
            expires_at=utcnow() + timedelta(minutes=30),
        )
    assert refused.value.err_code == "INVALID_REQUEST"


def test_query_follows_the_order_until_paid(sandbox, pay):
    out_trade_no, _ = order(pay, 2500)
    assert pay.query_order(out_trade_no).trade_state == "NOTPAY"
    pay_in_sandbox(sandbox, out_trade_no)
    state = pay.query_order(out_trade_no)
    assert state.trade_state == "SUCCESS"
    assert state.total_fen == 2500
    assert state.transaction_id == sandbox.pay_v3.orders[out_trade_no].transaction_id
    assert pay.query_order("T-never-made").trade_state == "NOT_FOUND"


def test_close_waits_five_minutes_then_closes_and_a_paid_order_stays_paid(sandbox, pay):
    out_trade_no, _ = order(pay)
    with pytest.raises(PayRejected) as early:
        pay.close_order(out_trade_no)
    assert early.value.err_code == "ORDER_CLOSE_TOO_EARLY"
    sandbox.pay_v3.orders[out_trade_no].created_at -= 301
    assert pay.close_order(out_trade_no) == "closed"
    assert pay.query_order(out_trade_no).trade_state == "CLOSED"
    assert pay.close_order(out_trade_no) == "closed"  # again: ORDER_CLOSED

    paid, _ = order(pay)
    sandbox.pay_v3.orders[paid].created_at -= 301
    pay_in_sandbox(sandbox, paid)
    assert pay.close_order(paid) == "paid"
    assert pay.query_order(paid).trade_state == "SUCCESS"


# ----- refunds -----


def test_a_refund_is_processed_queried_and_never_exceeds_what_was_paid(sandbox, pay):
    out_trade_no, _ = order(pay, 1000)
    with pytest.raises(PayRejected) as unpaid:
        pay.refund(
            out_trade_no=out_trade_no,
            out_refund_no="R" + out_trade_no,
            total_fen=1000,
            refund_fen=300,
            reason="多缴退回",
            notify_url="http://127.0.0.1:9/refund",
        )
    assert unpaid.value.err_code == "INVALID_REQUEST"
    pay_in_sandbox(sandbox, out_trade_no)

    def ask(out_refund_no, refund_fen):
        return pay.refund(
            out_trade_no=out_trade_no,
            out_refund_no=out_refund_no,
            total_fen=1000,
            refund_fen=refund_fen,
            reason="多缴退回",
            notify_url="http://127.0.0.1:9/refund",
        )

    first = ask("R1" + out_trade_no, 300)
    assert (first.status, first.refund_fen) == ("PROCESSING", 300)
    assert ask("R1" + out_trade_no, 300).refund_id == first.refund_id  # the same refund
    with pytest.raises(PayRejected) as too_much:
        ask("R2" + out_trade_no, 701)
    assert too_much.value.err_code == "NOT_ENOUGH"
    assert ask("R2" + out_trade_no, 700).status == "PROCESSING"
    assert pay.query_order(out_trade_no).trade_state == "REFUND"

    assert pay.query_refund("R1" + out_trade_no).status == "PROCESSING"
    settle(sandbox, "R1" + out_trade_no)
    done = pay.query_refund("R1" + out_trade_no)
    assert (done.status, done.refund_id, done.received_by) == (
        "SUCCESS",
        first.refund_id,
        "支付用户零钱",
    )
    assert abs(done.succeeded_at - utcnow()) < timedelta(minutes=1)
    assert pay.query_refund("R-never-asked").status == "NOT_FOUND"


@pytest.mark.parametrize("status", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_a_refund_notification_is_read(sandbox, pay, status):
    out_trade_no, _ = order(pay, 1000)
    pay_in_sandbox(sandbox, out_trade_no)
    pay.refund(
        out_trade_no=out_trade_no,
        out_refund_no="R" + out_trade_no,
        total_fen=1000,
        refund_fen=400,
        reason="多缴退回",
        notify_url="http://127.0.0.1:9/refund",
    )
    settle(sandbox, "R" + out_trade_no, status)
    refund = sandbox.pay_v3.refunds["R" + out_trade_no]
    headers, body = sandbox.pay_v3.refund_notification(refund)
    notice = pay.parse_refund_notification(body, headers)
    assert (notice.status, notice.refund_fen, notice.total_fen) == (status, 400, 1000)
    assert (notice.out_trade_no, notice.out_refund_no) == (out_trade_no, "R" + out_trade_no)
    assert notice.mch_id == pay.mch_id
    assert notice.refund_id == refund.refund_id
    assert (notice.succeeded_at is not None) == (status == "SUCCESS")
    with pytest.raises(InvalidNotification):  # a refund is not a payment
        pay.parse_notification(body, headers)
    forged = sandbox.pay_v3.refund_notification(refund, forge="bad_signature")
    with pytest.raises(InvalidNotification):
        pay.parse_refund_notification(forged[1], forged[0])


# ----- the daily statement -----


def test_the_statement_holds_the_days_payments_and_refunds(sandbox, pay):
    out_trade_no, _ = order(pay, 10000)
    pay_in_sandbox(sandbox, out_trade_no)
    pay.refund(
        out_trade_no=out_trade_no,
        out_refund_no="R" + out_trade_no,
        total_fen=10000,
        refund_fen=2500,
        reason="多缴退回",
        notify_url="http://127.0.0.1:9/refund",
    )
    settle(sandbox, "R" + out_trade_no)

    statement = pay.statement(paid_on(sandbox, out_trade_no))
    paid = next(
        line for line in statement.lines if line.out_trade_no == out_trade_no and not line.is_refund
    )
    refunded = next(line for line in statement.lines if line.out_refund_no == "R" + out_trade_no)
    assert (paid.settled_fen, paid.fee_fen, paid.mch_id) == (10000, 60, pay.mch_id)
    assert (refunded.refund_fen, refunded.fee_fen, refunded.refund_status) == (2500, -15, "SUCCESS")
    assert paid.transaction_id == sandbox.pay_v3.orders[out_trade_no].transaction_id


def test_differences_planted_in_the_statement_reach_us(sandbox, pay):
    """What the statement helpers plant (sandbox.reset() forgets it after each test)."""
    kept, _ = order(pay, 5000)
    changed, _ = order(pay, 5000)
    dropped, _ = order(pay, 5000)
    for out_trade_no in (kept, changed, dropped):
        pay_in_sandbox(sandbox, out_trade_no)
    day_paid = paid_on(sandbox, kept)
    stranger = StatementLine(
        traded_at=datetime.combine(day_paid, time(10, 0), SHANGHAI),
        appid=pay.appid,
        mch_id=pay.mch_id,
        transaction_id="4200-stranger",
        out_trade_no="T-never-ours",
        trade_state="SUCCESS",
        settled_fen=777,
        order_fen=777,
        refund_id=None,
        out_refund_no=None,
        refund_fen=0,
        refund_status=None,
        fee_fen=5,
        rate="0.60%",
    )
    sandbox.pay_v3.statement_changes[changed] = {"settled_fen": 4999, "order_fen": 4999}
    sandbox.pay_v3.statement_dropped.add(dropped)
    sandbox.pay_v3.statement_extra.append(stranger)

    lines = {line.out_trade_no: line for line in pay.statement(day_paid).lines}
    assert (lines[kept].settled_fen, lines[changed].settled_fen) == (5000, 4999)
    assert dropped not in lines
    assert lines["T-never-ours"].settled_fen == 777


def test_a_statement_that_fails_its_sha1_or_does_not_exist_is_not_read(sandbox, pay):
    out_trade_no, _ = order(pay, 5000)
    pay_in_sandbox(sandbox, out_trade_no)
    day_paid = paid_on(sandbox, out_trade_no)
    sandbox.pay_v3.statement_hash_wrong = True
    with pytest.raises(WeChatUnavailable):
        pay.statement(day_paid)
    sandbox.pay_v3.statement_hash_wrong = False
    assert any(line.out_trade_no == out_trade_no for line in pay.statement(day_paid).lines)
    with pytest.raises(StatementNotReady):
        pay.statement(day_paid + timedelta(days=1))  # still to come
    with pytest.raises(StatementNotReady):
        pay.statement(day_paid - timedelta(days=400))  # nothing traded


def test_the_sandbox_serves_a_plain_bill_too_and_refuses_unsigned_requests(sandbox, pay):
    out_trade_no, _ = order(pay, 5000)
    pay_in_sandbox(sandbox, out_trade_no)
    day_paid = paid_on(sandbox, out_trade_no).isoformat()
    status, text = pay._core.request(f"/v3/bill/tradebill?bill_date={day_paid}&bill_type=ALL")
    bill = json.loads(text)
    status, content = pay._pay.download_bill(bill["download_url"])
    assert status == 200
    assert hashlib.sha1(content, usedforsecurity=False).hexdigest() == bill["hash_value"]
    assert out_trade_no in content.decode("utf-8")

    answer = requests.get(
        sandbox.url + "v3/bill/tradebill", params={"bill_date": day_paid}, timeout=5
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "SIGN_ERROR"


# ----- notifications -----


def test_a_true_notification_is_read_as_the_transaction(sandbox, pay):
    out_trade_no, _ = order(pay, 3850)
    pay_in_sandbox(sandbox, out_trade_no)
    held = sandbox.pay_v3.orders[out_trade_no]
    headers, body = sandbox.pay_v3.notification(held)
    note = pay.parse_notification(body, headers)
    assert (note.out_trade_no, note.transaction_id, note.total_fen) == (
        out_trade_no,
        held.transaction_id,
        3850,
    )
    assert (note.appid, note.mch_id, note.return_ok, note.result_ok) == (
        pay.appid,
        pay.mch_id,
        True,
        True,
    )
    # What the settlement checks comes through as WeChat Pay said it, still signed.
    headers, body = sandbox.pay_v3.notification(held, amount=1, mchid="1900000999", appid="wxother")
    note = pay.parse_notification(body, {k.lower(): v for k, v in headers.items()})
    assert (note.total_fen, note.mch_id, note.appid) == (1, "1900000999", "wxother")
    headers, body = sandbox.pay_v3.notification(held, trade_state="PAYERROR")
    assert pay.parse_notification(body, headers).result_ok is False


@pytest.mark.parametrize("forge", ["bad_signature", "stale", "future", "undecryptable"])
def test_a_forged_notification_is_refused(sandbox, pay, forge):
    out_trade_no, _ = order(pay)
    pay_in_sandbox(sandbox, out_trade_no)
    headers, body = sandbox.pay_v3.notification(sandbox.pay_v3.orders[out_trade_no], forge=forge)
    with pytest.raises(InvalidNotification):
        pay.parse_notification(body, headers)


def test_a_notification_with_another_serial_is_refused_without_asking_the_network(
    sandbox, pay, monkeypatch
):
    out_trade_no, _ = order(pay)
    pay_in_sandbox(sandbox, out_trade_no)
    held = sandbox.pay_v3.orders[out_trade_no]
    no_network = cut_off(monkeypatch)
    headers, body = sandbox.pay_v3.notification(held, forge="wrong_serial")
    with pytest.raises(InvalidNotification):
        pay.parse_notification(body, headers)
    headers["Wechatpay-Serial"] = "7B1D0B5F0C3E4A2B9C7D6E5F4A3B2C1D0E9F8A7C"  # a certificate's
    with pytest.raises(InvalidNotification):
        pay.parse_notification(body, headers)
    assert no_network == []


def test_what_is_not_a_signed_json_notification_is_refused(sandbox, pay):
    signed = sandbox.pay_v3.signed_headers
    for text in ("not json", json.dumps({"resource_type": "plain", "resource": {}})):
        with pytest.raises(InvalidNotification):
            pay.parse_notification(text.encode(), signed(text))
    oversized = json.dumps({"resource_type": "encrypt-resource", "pad": "x" * 9000})
    with pytest.raises(InvalidNotification):
        pay.parse_notification(oversized.encode(), signed(oversized))
    out_trade_no, _ = order(pay)
    headers, body = sandbox.pay_v3.notification(sandbox.pay_v3.orders[out_trade_no])
    for missing in ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Serial"):
        with pytest.raises(InvalidNotification):
            pay.parse_notification(body, {k: v for k, v in headers.items() if k != missing})
    with pytest.raises(InvalidNotification):
        pay.parse_notification(body, None)


def test_notifications_keep_to_a_frozen_clock(sandbox, pay):
    out_trade_no, _ = order(pay)
    with freeze_time(day(-3)):
        headers, body = sandbox.pay_v3.notification(sandbox.pay_v3.orders[out_trade_no])
        assert pay.parse_notification(body, headers).out_trade_no == out_trade_no
    with pytest.raises(InvalidNotification):  # three days later it is stale
        pay.parse_notification(body, headers)


def test_the_answer_to_a_notification(pay):
    done = pay.acknowledge(True)
    assert (done.status, done.body) == (204, "")
    refused = pay.acknowledge(False, "签名失败")
    assert refused.status == 400
    assert refused.mimetype == "application/json"
    assert json.loads(refused.body) == {"code": "FAIL", "message": "签名失败"}


def test_the_backend_answers_a_v3_notification_in_json(sandbox, pay, client):
    out_trade_no, _ = order(pay)
    pay_in_sandbox(sandbox, out_trade_no)
    held = sandbox.pay_v3.orders[out_trade_no]
    url = "/api/v1/payments/wechat/notify/" + SANDBOX_V3_MERCHANT
    headers, body = sandbox.pay_v3.notification(held)  # an order the backend never made
    answer = client.post(url, data=body, headers=headers, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json() == {"code": "FAIL", "message": "订单不存在"}
    headers, body = sandbox.pay_v3.notification(held, forge="stale")
    answer = client.post(url, data=body, headers=headers, content_type="application/json")
    assert answer.get_json() == {"code": "FAIL", "message": "签名失败"}


def test_the_sandbox_sends_its_notifications_to_the_notify_url(sandbox, pay):
    received = []
    receiver = Flask("receiver")

    @receiver.post("/notify")
    def notified():
        note = pay.parse_notification(request.get_data(), dict(request.headers))
        received.append(note)
        answer = pay.acknowledge(True)
        return answer.body, answer.status

    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/notify"
        out_trade_no, _ = order(pay, 1200, notify_url=url)
        reply = pay_in_sandbox(sandbox, out_trade_no, notify=True)
    finally:
        server.shutdown()
    assert reply["backend_status"] == 204
    assert [(n.out_trade_no, n.total_fen, n.result_ok) for n in received] == [
        (out_trade_no, 1200, True)
    ]


# ----- errors -----


def test_trouble_at_wechat_pay_is_unavailable_and_a_refusal_is_rejected(sandbox, pay):
    sandbox.fault("v3/pay/transactions/out-trade-no", "status", 500)
    with pytest.raises(WeChatUnavailable):
        pay.query_order("T1")
    sandbox.fault("v3/pay/transactions/out-trade-no", "malformed")  # unsigned, not JSON
    with pytest.raises(WeChatUnavailable):
        pay.query_order("T1")
    with pytest.raises(WeChatUnavailable):
        gateway(sandbox, base="http://127.0.0.1:9").query_order("T1")
    # An answer not signed by WeChat Pay's key (we hold another) is not believed.
    out_trade_no, _ = order(pay)
    other_key = str(SANDBOX_KEYS / "merchant_public_key.pem")
    with pytest.raises(WeChatUnavailable):
        gateway(sandbox, public_key_file=other_key).query_order(out_trade_no)
    # Our request signed with a key WeChat Pay does not know: refused for good.
    wrong_key = str(SANDBOX_KEYS / "platform_private_key.pem")
    with pytest.raises(PayRejected) as refused:
        gateway(sandbox, private_key_file=wrong_key).query_order("T1")
    assert refused.value.err_code == "SIGN_ERROR"


# ----- start-up -----


def test_the_gateway_starts_offline_with_the_sandbox_keys(sandbox, monkeypatch):
    no_network = cut_off(monkeypatch)
    pay = gateway(sandbox)
    assert (pay.version, pay.mch_id, pay.appid) == ("v3", "1900000300", sandbox.pay_v3.appid)
    assert no_network == []


def platform_certificate(folder, days: int = 30) -> str:
    """A certificate for WeChat Pay's (the sandbox's) platform key, saved as WeChat Pay
    certificates are: <SERIAL>.pem. Returns the serial."""
    key = load_pem_private_key((SANDBOX_KEYS / "platform_private_key.pem").read_bytes(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    serial = x509.random_serial_number()
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, SHA256())
    )
    hex_serial = format(serial, "X")
    (folder / f"{hex_serial}.pem").write_bytes(certificate.public_bytes(Encoding.PEM))
    return hex_serial


def test_with_platform_certificates_it_starts_offline_and_trusts_only_their_serials(
    sandbox, tmp_path, monkeypatch
):
    serial = platform_certificate(tmp_path)
    pay_by_key = gateway(sandbox)
    out_trade_no, _ = order(pay_by_key)
    held = sandbox.pay_v3.orders[out_trade_no]
    _, body = sandbox.pay_v3.notification(held)

    no_network = cut_off(monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WeChatUnavailable):  # no certificate: it will not go and fetch one
        gateway(sandbox, public_key_file=None, public_key_id=None, platform_cert_dir=str(empty))
    pay = gateway(
        sandbox, public_key_file=None, public_key_id=None, platform_cert_dir=str(tmp_path)
    )
    headers = sandbox.pay_v3.signed_headers(body.decode(), serial=serial.lower())
    assert pay.parse_notification(body, headers).out_trade_no == out_trade_no
    for other in (serial[:-1] + ("0" if serial[-1] != "0" else "1"), sandbox.pay_v3.public_key_id):
        headers = sandbox.pay_v3.signed_headers(body.decode(), serial=other)
        with pytest.raises(InvalidNotification):
            pay.parse_notification(body, headers)
    assert no_network == []


def test_order_numbers_with_any_allowed_character_reach_wechat_pay(sandbox, pay):
    """WeChat Pay allows digits, letters, _-|* in out_trade_no; the path is escaped and
    signed as sent."""
    out_trade_no = "T|*_-" + secrets.token_hex(4)
    pay.create_order(
        out_trade_no=out_trade_no,
        total_fen=100,
        description="邻里-物业费",
        openid="o-resident-1",
        client_ip="127.0.0.1",
        notify_url="http://127.0.0.1:9/notify",
        expires_at=utcnow() + timedelta(minutes=30),
    )
    assert pay.query_order(out_trade_no).trade_state == "NOTPAY"


def test_an_order_past_its_time_expire_cannot_be_paid_in_the_sandbox(sandbox, pay):
    out_trade_no, _ = order(pay, expires_at=utcnow() + timedelta(minutes=30))
    held = sandbox.pay_v3.orders[out_trade_no]
    held.time_expire = (
        (utcnow() - timedelta(minutes=1)).astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
    )
    body = {"out_trade_no": out_trade_no, "notify": False}
    answer = requests.post(sandbox.url + "sandbox/pay/v3/pay", json=body, timeout=10)
    assert (answer.status_code, answer.json()["err_code"]) == (409, "ORDER_EXPIRED")
    assert pay.query_order(out_trade_no).trade_state == "NOTPAY"
