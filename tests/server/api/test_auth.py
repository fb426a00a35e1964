"""Signing in through the WeChat sandbox: success, every WeChat failure, tokens."""

from __future__ import annotations

import io
import json
import logging

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.logs import RedactSecrets
from server.models import User
from server.services.people import token_cache
from tests.factories import build_world
from tests.steps import sign_in
from tests.timing import day


def test_login_creates_the_user_and_returns_a_working_token(client):
    response = sign_in(client, "demo-newcomer-42")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_in", "user"}
    assert body["expires_in"] == 86400
    assert body["user"]["roles"] == []
    assert body["user"]["households"] == []
    user = db.session.scalars(select(User).where(User.openid == "newcomer-42")).one()
    assert body["user"]["id"] == user.id
    assert user.session_key  # kept on the server

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id


def test_login_of_a_known_resident_shows_roles_and_household(client):
    world = build_world("aa")
    response = sign_in(client, "demo-aa-resident_1_1")

    user = response.get_json()["user"]
    assert user["id"] == world.people["resident_1_1"].id
    assert user["roles"] == [
        {
            "role": "resident",
            "scope": "household",
            "scope_id": world.household("1-1-101").id,
            "compound": "aa",
            "compound_name": "aa小区",
            "label": "1-1-101",
        }
    ]
    (household,) = user["households"]
    assert household["label"] == "1-1-101"
    assert household["area_m2"] == "72.36"
    assert household["relation"] == "owner"


def test_logging_in_twice_keeps_one_user(client):
    first = sign_in(client, "demo-twice").get_json()["user"]["id"]
    second = sign_in(client, "demo-twice").get_json()["user"]["id"]
    assert first == second
    assert len(db.session.scalars(select(User).where(User.openid == "twice")).all()) == 1


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [
        ("bad", 401, "wechat_code_invalid"),  # 40029
        ("used", 401, "wechat_code_invalid"),  # 40163
        ("frequent", 429, "wechat_rate_limited"),  # 45011
        ("busy", 503, "wechat_unavailable"),  # -1
        ("risky", 403, "wechat_user_blocked"),  # 40226
    ],
)
def test_wechat_errors_are_mapped(client, code, status, error_code):
    response = sign_in(client, code)
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == error_code
    assert body["message"]  # a sentence for the resident, not a traceback
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("status", 502), ("status", 500), ("malformed", 0), ("errcode", 45009), ("errcode", 40013)],
)
def test_wechat_outages_and_garbage_answer_503_or_429(client, sandbox, kind, value):
    sandbox.fault("sns/jscode2session", kind, value)
    response = sign_in(client, "demo-someone")
    expected = 429 if value == 45009 else 503
    assert response.status_code == expected
    assert response.get_json()["code"] in {"wechat_unavailable", "wechat_rate_limited"}


def test_wechat_timeout_answers_503_within_the_timeout(client, sandbox):
    sandbox.fault("sns/jscode2session", "delay", 3)  # WECHAT_TIMEOUT is 2 s in tests
    response = sign_in(client, "demo-slowpoke")
    assert response.status_code == 503
    assert response.get_json()["code"] == "wechat_unavailable"
    assert response.headers["Retry-After"]


def test_sandbox_down_answers_503(app, db_session):
    # Nothing listens on port 9 (discard) on loopback: connection refused.
    original = app.config["WECHAT_API_BASE"]
    app.extensions.pop("linli.mini_program", None)
    app.config["WECHAT_API_BASE"] = "http://127.0.0.1:9/"
    try:
        response = app.test_client().post("/api/v1/auth/login", json={"code": "demo-x"})
    finally:
        app.extensions.pop("linli.mini_program", None)
        app.config["WECHAT_API_BASE"] = original
    assert response.status_code == 503
    assert response.get_json()["code"] == "wechat_unavailable"


def test_session_key_never_leaves_the_server_nor_reaches_a_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logging.getLogger().addHandler(handler)
    try:
        response = sign_in(client, "demo-secretive")
        token = response.get_json()["token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    finally:
        logging.getLogger().removeHandler(handler)

    session_key = db.session.scalars(
        select(User.session_key).where(User.openid == "secretive")
    ).one()
    assert session_key
    for text in (response.get_data(as_text=True), me.get_data(as_text=True)):
        assert session_key not in text
        assert "session_key" not in text
    assert caplog.records, "the login should have logged something to check"
    for record in caplog.records:
        assert session_key not in record.getMessage()
    assert session_key not in stream.getvalue()
    assert "sandbox-app-secret" not in stream.getvalue()


def test_missing_and_forged_tokens_get_401(client):
    assert client.get("/api/v1/me").status_code == 401
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer eyJ1aWQiOjF9.x.y"})
    assert forged.status_code == 401
    assert forged.get_json()["code"] == "token_invalid"
    assert forged.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_gets_401_token_expired(client):
    with freeze_time(day(1, "00:00:00")):
        token = sign_in(client, "demo-sleepy").get_json()["token"]
    with freeze_time(day(2, "00:00:01")):  # one second past the 24 h lifetime
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_expired"


def test_a_disabled_user_cannot_sign_in_or_use_an_old_token(client):
    token = sign_in(client, "demo-leaver").get_json()["token"]
    user = db.session.scalars(select(User).where(User.openid == "leaver")).one()
    user.is_active = False
    db.session.flush()

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    response = sign_in(client, "demo-leaver")
    assert response.status_code == 403
    assert response.get_json()["code"] == "account_disabled"


@pytest.mark.parametrize(
    "body",
    [None, "not json", {}, {"code": ""}, {"code": 12}, {"code": "x" * 129}, {"code": "a", "x": 1}],
)
def test_malformed_login_bodies_get_400_with_the_envelope(client, body):
    if isinstance(body, str):
        response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    elif body is None:
        response = client.post("/api/v1/auth/login")
    else:
        response = client.post(
            "/api/v1/auth/login", data=json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["code"] in {"validation_error", "bad_request"}
    assert payload["message"]


@pytest.fixture
def token_cache_on(app, monkeypatch):
    """Verified tokens kept per worker, as in production (PRINCIPAL_CACHE_SECONDS)."""
    monkeypatch.setitem(app.config, "PRINCIPAL_CACHE_SECONDS", 5)
    app.extensions.pop(token_cache.EXTENSION, None)
    yield app
    app.extensions.pop(token_cache.EXTENSION, None)


def test_a_token_verified_lately_still_expires_on_time(client, token_cache_on):
    with freeze_time(day(1, "00:00:00")):
        token = sign_in(client, "demo-sleepy").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with freeze_time(day(1, "23:59:58")):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(token_cache.cache()) == 1  # kept: the next request skips the signature
    with freeze_time(day(1, "23:59:59")):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with freeze_time(day(2, "00:00:01")):  # within the cache's seconds, past the lifetime
        response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_expired"


def test_a_cached_token_vouches_for_no_other_string(client, token_cache_on):
    token = sign_in(client, "demo-sleepy").get_json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # The signature's first character: all six of its bits count (the last
    # character's low bits are padding, so changing it may decode the same).
    head, _, signature = token.rpartition(".")
    tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    assert tampered != token
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_invalid"


def test_the_token_cache_stays_bounded(app, token_cache_on):
    with app.app_context():
        cache = token_cache.cache()
        for n in range(token_cache.MAX_ENTRIES + 10):
            cache.put(f"token-{n}", n, signed_at=0, verified_at=float(n))
        assert len(cache) <= token_cache.MAX_ENTRIES
