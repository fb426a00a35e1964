"""Volunteers following the official account get linked to their mini-program account."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from server.extensions import db
from server.models import User
from tests.factories import build_world

TOKEN = "oa-callback-token"


@pytest.fixture
def official(app, sandbox, monkeypatch):
    for key, value in {
        "WECHAT_OA_APPID": sandbox.state.oa_appid,
        "WECHAT_OA_SECRET": sandbox.state.oa_secret,
        "WECHAT_OA_TOKEN": TOKEN,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    app.extensions.pop("linli.official_account", None)
    yield
    app.extensions.pop("linli.official_account", None)


def signed(token=TOKEN, timestamp=None, nonce=None) -> str:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def event(kind: str, openid: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_linli]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1764547200</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{kind}]]></Event></xml>"
    ).encode()


def post(client, body: bytes, query: str):
    return client.post(
        f"/api/v1/wechat/official-account?{query}", data=body, content_type="text/xml"
    )


@dataclass
class Person:
    id: int
    openid: str


@pytest.fixture
def liaison(committed_db):
    """Committed for real: following fetches the account's token on its own connection."""
    world = build_world("aa")
    user = world.people["liaison_1_1"]
    person = Person(user.id, user.openid)
    db.session.execute(
        update(User).where(User.id == user.id).values(unionid="union-" + user.openid)
    )
    db.session.commit()
    return person


def oa_openid_of(user_id):
    value = db.session.scalar(select(User.oa_openid).where(User.id == user_id))
    db.session.commit()  # hold no transaction (on SQLite, no write lock) afterwards
    return value


def test_wechat_verifies_the_server_url(client, official):
    response = client.get(f"/api/v1/wechat/official-account?{signed()}&echostr=hello")
    assert response.get_data(as_text=True) == "hello"
    assert (
        client.get(f"/api/v1/wechat/official-account?{signed('forged')}&echostr=x").status_code
        == 404
    )


def test_following_links_and_unfollowing_unlinks(app, official, liaison):
    client = app.test_client()
    oa_openid = "oa-" + liaison.openid
    response = post(client, event("subscribe", oa_openid), signed())
    assert response.get_data(as_text=True) == "success"
    assert oa_openid_of(liaison.id) == oa_openid
    post(client, event("unsubscribe", oa_openid), signed())
    assert oa_openid_of(liaison.id) is None


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Event>&a;</Event></xml>',
        b"<xml/>",
        b"not xml",
        b"<xml>" + b"a" * 20000 + b"</xml>",
    ],
)
def test_hostile_or_broken_bodies_change_nothing(app, official, liaison, body):
    client = app.test_client()
    response = post(client, body, signed())
    assert response.status_code == 200
    assert oa_openid_of(liaison.id) is None


def test_a_forged_event_is_refused(app, official, liaison):
    client = app.test_client()
    response = post(client, event("subscribe", "oa-" + liaison.openid), signed("forged"))
    assert response.status_code == 404
    assert oa_openid_of(liaison.id) is None


def test_without_an_official_account_the_url_does_not_exist(client):
    assert client.get(f"/api/v1/wechat/official-account?{signed()}").status_code == 404


def test_a_replayed_or_stale_push_is_refused(app, official, liaison):
    client = app.test_client()
    oa_openid = "oa-" + liaison.openid
    query = signed()
    assert post(client, event("subscribe", oa_openid), query).status_code == 200
    replay = post(client, event("unsubscribe", oa_openid), query)  # the same signed URL
    assert replay.status_code == 404
    assert oa_openid_of(liaison.id) == oa_openid
    stale = signed(timestamp=str(int(time.time()) - 600))
    assert post(client, event("unsubscribe", oa_openid), stale).status_code == 404
    assert oa_openid_of(liaison.id) == oa_openid


def test_an_official_account_without_a_token_does_not_start():
    from server.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="WECHAT_OA_TOKEN"):
        load_config({"WECHAT_OA_APPID": "wx123", "WECHAT_OA_SECRET": "s"}, "instance")
