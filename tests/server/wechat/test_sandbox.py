"""The sandbox answers like WeChat, so the production code path can run against it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time

from server.clock import utcnow
from server.wechat.limits import check_value
from server.wechat.pay import PayRejected
from server.wechat.pay_v2 import WeChatPayV2


def stable(sandbox, **extra):
    body = {
        "grant_type": "client_credential",
        "appid": sandbox.state.appid,
        "secret": sandbox.state.secret,
        **extra,
    }
    return requests.post(sandbox.url + "cgi-bin/stable_token", json=body, timeout=5).json()


def send(sandbox, token, data, path="cgi-bin/message/subscribe/send"):
    body = {
        "touser": "resident-1-1-101",
        "template_id": "TPL1",
        "page": "pages/index/index",
        "data": data,
    }
    return requests.post(
        sandbox.url + path, params={"access_token": token}, json=body, timeout=5
    ).json()


def test_code2session_checks_the_app_credentials(sandbox):
    params = {
        "appid": "wrong",
        "secret": sandbox.state.secret,
        "js_code": "demo-a",
        "grant_type": "authorization_code",
    }
    assert (
        requests.get(sandbox.url + "sns/jscode2session", params=params, timeout=5).json()["errcode"]
        == 40013
    )
    params.update(appid=sandbox.state.appid, secret="wrong")
    assert (
        requests.get(sandbox.url + "sns/jscode2session", params=params, timeout=5).json()["errcode"]
        == 40125
    )


def test_stable_token_is_stable_until_forced(sandbox):
    first = stable(sandbox)
    assert first["expires_in"] > 7000
    assert stable(sandbox)["access_token"] == first["access_token"]
    forced = stable(sandbox, force_refresh=True)
    assert forced["access_token"] != first["access_token"]
    # The old token no longer works once a refresh was forced.
    assert send(sandbox, first["access_token"], {"thing1": {"value": "x"}})["errcode"] == 40001


def test_subscribe_messages_are_checked_and_recorded(sandbox):
    token = stable(sandbox)["access_token"]
    ok = send(
        sandbox,
        token,
        {"thing1": {"value": "楼道灯坏了"}, "time2": {"value": "2026年12月1日 15:01"}},
    )
    assert ok["errcode"] == 0
    too_long = send(sandbox, token, {"thing1": {"value": "楼" * 21}})
    assert too_long["errcode"] == 47003
    newline = send(sandbox, token, {"thing1": {"value": "a\nb"}})
    assert newline["errcode"] == 47003
    assert send(sandbox, "bogus", {"thing1": {"value": "x"}})["errcode"] == 40001
    (message,) = sandbox.messages()
    assert message["data"] == {"thing1": "楼道灯坏了", "time2": "2026年12月1日 15:01"}
    assert message["touser"] == "resident-1-1-101"


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("thing1", "二十个字以内的内容", True),
        ("thing1", "x" * 21, False),
        ("character_string2", "ABC-123", True),
        ("character_string2", "中文", False),
        ("phrase3", "已受理", True),
        ("phrase3", "已经受理完毕了", False),
        ("number4", "42", True),
        ("amount5", "¥38.50", True),
        ("amount5", "三十八", False),
        ("name6", "王秀兰", True),
        ("name6", "王" * 11, False),
        ("time7", "2026年12月1日 15:01", True),
        ("time7", "yesterday", False),
        ("unknown8", "x", False),
    ],
)
def test_value_limits(key, value, ok):
    assert (check_value(key, value) is None) is ok


def _order(sandbox, out_trade_no: str, expires_in: timedelta) -> WeChatPayV2:
    """An order made the way the backend makes it (wechatpy sends time_expire in Beijing time)."""
    pay = sandbox.pay
    gateway = WeChatPayV2(pay.appid, pay.mch_id, pay.api_key, api_base=sandbox.url, timeout=5)
    gateway.create_order(
        out_trade_no=out_trade_no,
        total_fen=2533,
        description="自治管理费",
        openid="resident-1-1-101",
        client_ip="127.0.0.1",
        notify_url="http://127.0.0.1:9/never",
        expires_at=utcnow() + expires_in,
    )
    return gateway


def _pay(sandbox, out_trade_no: str) -> requests.Response:
    body = {"out_trade_no": out_trade_no, "notify": False}
    return requests.post(sandbox.url + "sandbox/pay", json=body, timeout=5)


def test_an_expired_order_can_no_longer_be_paid(sandbox):
    # Expired a minute ago: read as UTC instead of Beijing time it would still run 8 hours.
    gateway = _order(sandbox, "LL-EXPIRED-1", timedelta(minutes=-1))
    sent = sandbox.pay.notifications_sent
    refused = _pay(sandbox, "LL-EXPIRED-1")
    assert refused.status_code == 409
    assert refused.json()["err_code"] == "ORDER_EXPIRED"
    assert gateway.query_order("LL-EXPIRED-1").trade_state == "NOTPAY"
    assert sandbox.pay.notifications_sent == sent


def test_an_order_is_paid_before_it_expires(sandbox):
    gateway = _order(sandbox, "LL-IN-TIME-1", timedelta(minutes=30))
    assert _pay(sandbox, "LL-IN-TIME-1").json() == {"paid": True, "notified": False}
    paid = gateway.query_order("LL-IN-TIME-1")
    assert (paid.trade_state, paid.total_fen) == ("SUCCESS", 2533)


def test_an_order_is_closed_only_five_minutes_after_it_was_made(sandbox):
    gateway = _order(sandbox, "LL-CLOSE-1", timedelta(minutes=30))
    with pytest.raises(PayRejected) as too_early:
        gateway.close_order("LL-CLOSE-1")
    assert too_early.value.err_code == "ORDER_CLOSE_TOO_EARLY"
    assert gateway.query_order("LL-CLOSE-1").trade_state == "NOTPAY"
    with freeze_time(timedelta(minutes=5, seconds=1), tick=True):
        assert gateway.close_order("LL-CLOSE-1") == "closed"
        assert gateway.close_order("LL-CLOSE-1") == "closed"  # ORDERCLOSED: already closed
    assert gateway.query_order("LL-CLOSE-1").trade_state == "CLOSED"
    assert _pay(sandbox, "LL-CLOSE-1").status_code == 404  # nobody can pay it any more
