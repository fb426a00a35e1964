"""Pieces of refunds through WeChat Pay: the split of a refund over a payment's bills,
v2's encrypted refund notification, and what production requires before refunding."""

from __future__ import annotations

import pytest
import xmltodict

from server.config import SANDBOX_APPID, SANDBOX_MCH_ID, SANDBOX_PAY_KEY
from server.services.money.refund_settlement import split, where_received
from server.wechat import InvalidNotification
from server.wechat.pay_v2 import WeChatPayV2
from server.wechat.sandbox.pay import PayState, SandboxRefund
from server.wechat.sandbox.pay_refunds import refund_notification


@pytest.mark.parametrize(
    ("amount", "shares", "parts"),
    [
        (3000, [2533, 2533], [1500, 1500]),
        (100, [1, 1, 1], [34, 33, 33]),
        (5066, [2533, 2533], [2533, 2533]),
        (1, [100, 300], [0, 1]),
        (7, [1, 2, 4], [1, 2, 4]),
        (10, [3, 3, 4], [3, 3, 4]),
        (11, [3, 3, 4], [3, 3, 5]),  # 3.3, 3.3, 4.4: the largest remainder gets it
    ],
)
def test_a_refund_splits_over_the_bills_by_their_shares_to_the_fen(amount, shares, parts):
    assert split(amount, shares) == parts
    assert sum(parts) == amount


def test_where_the_money_went_back_in_plain_words():
    assert where_received("支付用户的零钱") == "您的微信零钱"
    assert where_received("招商银行信用卡0403") == "您的招商银行信用卡0403"
    assert where_received(None) == "您的原支付账户"


def gateway(api_key=SANDBOX_PAY_KEY, mch_id=SANDBOX_MCH_ID) -> WeChatPayV2:
    return WeChatPayV2(SANDBOX_APPID, mch_id, api_key, api_base="http://127.0.0.1:9/", timeout=1)


@pytest.fixture
def notice():
    state = PayState(appid=SANDBOX_APPID, mch_id=SANDBOX_MCH_ID, api_key=SANDBOX_PAY_KEY)
    refund = SandboxRefund("RF1", "LL1", 3000, 5066, "503001", status="SUCCESS")
    refund.succeeded_at = 1_796_000_000.0
    return state, refund


def test_a_v2_refund_notification_is_decrypted_and_read(notice):
    state, refund = notice
    read = gateway().parse_refund_notification(refund_notification(state, refund))
    assert (read.out_refund_no, read.out_trade_no, read.refund_id) == ("RF1", "LL1", "503001")
    assert (read.status, read.refund_fen, read.total_fen) == ("SUCCESS", 3000, 5066)
    assert read.received_by == "支付用户的零钱"
    assert read.succeeded_at.timestamp() == 1_796_000_000.0
    refund.status = "CHANGE"
    assert gateway().parse_refund_notification(refund_notification(state, refund)).status == (
        "ABNORMAL"
    )
    refund.status = "REFUNDCLOSE"
    assert gateway().parse_refund_notification(refund_notification(state, refund)).status == (
        "CLOSED"
    )


def test_a_refund_notification_we_cannot_trust_is_refused(notice):
    state, refund = notice
    body = refund_notification(state, refund)
    outer = xmltodict.parse(body)["xml"]
    with pytest.raises(InvalidNotification):  # another key cannot read it
        gateway(api_key="x" * 32).parse_refund_notification(body)
    with pytest.raises(InvalidNotification):  # another merchant's
        gateway(mch_id="1900000999").parse_refund_notification(body)
    broken = [
        body.replace(outer["req_info"].encode(), outer["req_info"][:-8].encode()),
        body.replace(outer["req_info"].encode(), b"!!!"),
        body.replace(b"SUCCESS", b"FAIL"),
        b"<xml><return_code>SUCCESS</return_code></xml>",
        b"",
        b"x" * 9000,
        b'<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>',
    ]
    for forged in broken:
        with pytest.raises(InvalidNotification):
            gateway().parse_refund_notification(forged)
