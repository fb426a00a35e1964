"""The HTTP surface: error envelope, health, OpenAPI, limits, the compound directory."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from server.database.replay import BUSY_REPLAYS
from tests.factories import build_world


def test_unknown_path_and_wrong_method_use_the_envelope(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json() == {"code": "not_found", "message": "找不到该内容"}
    wrong = client.get("/api/v1/auth/login")
    assert wrong.status_code == 405
    assert wrong.get_json()["code"] == "method_not_allowed"


def test_ids_beyond_64_bits_are_404_not_500(client, db_session):
    world = build_world("aa")
    response = client.post(
        "/api/v1/bindings/9223372036854775808/approve", headers=world.headers("committee")
    )
    assert response.status_code == 404


def test_an_unexpected_error_is_a_500_envelope_without_internals(
    app, client, monkeypatch, db_session
):
    world = build_world("aa")

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("server.services.people.users.describe", explode)
    response = client.get("/api/v1/me", headers=world.headers("committee"))
    assert response.status_code == 500
    assert response.get_json() == {
        "code": "internal_error",
        "message": "服务器出了点问题，请稍后再试",
    }


def test_database_outage_is_a_503_envelope(client, monkeypatch, db_session):
    world = build_world("aa")

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception(2003, "Can't connect to MySQL server"))

    monkeypatch.setattr("server.services.people.users.describe", down)
    response = client.get("/api/v1/me", headers=world.headers("committee"))
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "replica": "none"}


def test_healthz_says_503_when_the_database_is_away(client, monkeypatch):
    from server.extensions import db

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("unable to open database file"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert login["requestBody"]["required"] is True
    assert "BearerAuth" in spec["components"]["securitySchemes"]
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"BearerAuth": []}]
    ref = me["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
    error = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(error["required"]) == {"code", "message"}


def test_compound_directory_lists_buildings_and_units_only(client, db_session):
    world = build_world("aa")
    response = client.get("/api/v1/compounds/aa", headers=world.headers("outsider"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "aa小区"
    assert [(b["number"], [u["number"] for u in b["units"]]) for b in body["buildings"]] == [
        (1, [1, 2])
    ]
    assert client.get("/api/v1/compounds/zz", headers=world.headers("outsider")).status_code == 404
    assert client.get("/api/v1/compounds/aa").status_code == 401


@pytest.fixture
def limited_app(app, monkeypatch):
    from server.extensions import limiter

    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_OPENID", "3/minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_IP", "6/minute")
    limiter.reset()
    yield app
    limiter.reset()


def test_login_is_rate_limited_per_openid(limited_app, db_session):
    client = limited_app.test_client()
    statuses = [
        client.post("/api/v1/auth/login", json={"code": "demo-eager"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    blocked = client.post("/api/v1/auth/login", json={"code": "demo-eager"})
    assert blocked.get_json()["code"] == "too_many_requests"
    assert int(blocked.headers["Retry-After"]) > 0
    # Another person behind the same NAT address is not blocked by the first one...
    assert client.post("/api/v1/auth/login", json={"code": "demo-neighbour"}).status_code == 200
    # ...but the address as a whole has its own, higher ceiling.
    assert client.post("/api/v1/auth/login", json={"code": "demo-third"}).status_code == 429


@pytest.mark.parametrize(
    ("errno", "text"),
    [
        (1213, "Deadlock found"),
        # A deadlock inside a savepoint rolls the whole transaction back; releasing
        # the savepoint then fails with this, which means the same.
        (1305, "SAVEPOINT sa_savepoint_1 does not exist"),
    ],
)
def test_a_deadlock_is_a_503_to_retry_not_a_500(client, monkeypatch, db_session, errno, text):
    """The view runs again a few times first (server.database.replay); one that keeps
    losing answers 503 with a Retry-After."""
    world = build_world("aa")
    db_session.commit()  # as in production: a replay starts a fresh transaction
    runs = []

    def deadlock(*args, **kwargs):
        runs.append(1)
        raise OperationalError("UPDATE x", {}, Exception(errno, text))

    monkeypatch.setattr("server.services.people.users.describe", deadlock)
    response = client.get("/api/v1/me", headers=world.headers("committee"))
    assert response.status_code == 503, (runs, response.get_json())
    assert response.get_json()["code"] == "database_busy"
    assert len(runs) == 1 + BUSY_REPLAYS


def test_a_missing_database_function_is_a_500_not_a_retry(client, monkeypatch, db_session):
    """1305 means a lost savepoint only when it names one: a missing function is a
    bug to see in the log, not a busy database."""
    world = build_world("aa")

    def missing(*args, **kwargs):
        raise OperationalError("SELECT f()", {}, Exception(1305, "FUNCTION linli.f does not exist"))

    monkeypatch.setattr("server.services.people.users.describe", missing)
    response = client.get("/api/v1/me", headers=world.headers("committee"))
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error"
