"""The logs an operator reads: one JSON object a line, each with the id of its request,
the id followed into the outbox and WeChat calls, and no secret in any line."""

from __future__ import annotations

import json
import logging

import pytest

from server import create_app
from server.extensions import db
from server.logs import (
    _StderrHandler,
    request_id_bound,
)
from server.services.messaging import inbox
from server.services.people.access import load_principal
from tests.conftest import app_env
from tests.factories import build_world
from tests.helpers import dispatch


def test_log_format_json_makes_the_stderr_handler_write_json(app, database_url, sandbox, capsys):
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, _StderrHandler))
    before = handler.formatter
    try:
        create_app(app_env(database_url, sandbox, LOG_FORMAT="json"))
        logging.getLogger("linli.test").warning("楼道灯坏了")
        (line,) = capsys.readouterr().err.splitlines()
        assert json.loads(line)["message"] == "楼道灯坏了"  # Chinese as it is
        assert "楼道灯坏了" in line
    finally:
        handler.setFormatter(before)


def test_text_is_the_default_outside_production(app):
    assert app.config["LOG_FORMAT"] == "text"


def test_every_answer_carries_a_request_id(client, lines):
    answer = client.get("/api/v1/no-such-thing")
    other = client.get("/api/v1/config")
    request_id = answer.headers["X-Request-Id"]
    assert len(request_id) == 32
    assert request_id != other.headers["X-Request-Id"]
    logging.getLogger("linli.test").info("outside any request")
    assert lines.saying("outside any request")[0]["request_id"] == "-"


def test_a_line_logged_during_a_request_has_its_id(database_url, sandbox, lines):
    app = create_app(app_env(database_url, sandbox))

    @app.get("/_test/logs-a-line")
    def _logs_a_line():
        logging.getLogger("linli.test").warning("a line from the view")
        return {}

    answer = app.test_client().get("/_test/logs-a-line")
    (line,) = lines.saying("a line from the view")
    assert line["request_id"] == answer.headers["X-Request-Id"]
    assert {"time", "level", "logger", "process"} <= set(line)
    assert line["level"] == "WARNING"


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b", True),  # nginx's $request_id
        ("6e1c6d2a-0f55-4c8e-9a55-4a3b2c1d0e9f", True),
        ("short", False),
        ("x" * 65, False),
        ("abc def ghi jkl", False),
        ('abcdefgh"}{"level":"INFO', False),
    ],
)
def test_a_trusted_proxys_request_id_is_kept_only_when_well_formed(
    app, client, monkeypatch, offered, kept
):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    answered = client.get("/api/v1/config", headers={"X-Request-Id": offered})
    assert (answered.headers["X-Request-Id"] == offered) is kept
    assert len(answered.headers["X-Request-Id"]) >= 8


def test_a_request_id_from_a_client_without_a_proxy_is_not_believed(client):
    offered = "3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b"
    answered = client.get("/api/v1/config", headers={"X-Request-Id": offered})
    assert answered.headers["X-Request-Id"] != offered


def test_no_secret_reaches_a_json_line(lines):
    log = logging.getLogger("linli.test")
    log.warning("code2session answered session_key=AbC123== for js_code=071xyz")
    log.warning("posting %s", {"secret": "app-secret-value", "paySign": "ABCDEF"})
    try:
        raise RuntimeError("GET /sns/jscode2session?appid=wx1&secret=app-secret-value")
    except RuntimeError:
        log.exception("WeChat call failed")
    log.info("an extra field", extra={"detail": "access_token=tok-123456"})
    raw = lines.raw()
    for secret in ("AbC123", "071xyz", "app-secret-value", "ABCDEF", "tok-123456"):
        assert secret not in raw
    assert len(lines.all()) == 4  # still one JSON object a line
    assert "session_key=***" in lines.all()[0]["message"]


@pytest.fixture
def world(committed_db):
    world = build_world("aa")
    db.session.commit()
    return world


def test_a_message_can_be_followed_from_its_request_to_wechat(
    app, sandbox, world, lines, monkeypatch
):
    principal = load_principal(world.people["liaison_1_1"].id)
    inbox.record_subscriptions(principal, ["sandbox-new_issue"])
    db.session.commit()
    body = {"category": "repair", "title": "楼道灯坏了", "description": "三楼楼道灯不亮"}
    body["household_id"] = world.household_ids["1-1-101"]
    posted = app.test_client().post(
        "/api/v1/issues", json=body, headers=world.headers("resident_1_1")
    )
    assert posted.status_code == 201
    request_id = posted.headers["X-Request-Id"]
    queued = lines.saying("queued")
    assert queued
    assert {line["request_id"] for line in queued} == {request_id}
    message_ids = {line["message_id"] for line in queued}

    monkeypatch.setattr(logging.getLogger("server.wechat.client"), "level", logging.DEBUG)
    result = dispatch(app)
    assert result.sent == 1
    (sent,) = lines.saying(" sent")
    assert sent["message_id"] in message_ids
    round_id = sent["request_id"]
    assert round_id not in ("-", request_id)
    (call,) = lines.saying("WeChat subscribe/send answered")
    assert call["request_id"] == round_id
    skipped = lines.saying(" skipped")
    assert {line["request_id"] for line in skipped} == {round_id}


def test_work_outside_a_request_can_carry_an_id(lines):
    with request_id_bound("job-run-0001") as bound:
        logging.getLogger("linli.test").info("inside")
    logging.getLogger("linli.test").info("after")
    assert bound == "job-run-0001"
    assert [line["request_id"] for line in lines.all()] == ["job-run-0001", "-"]
