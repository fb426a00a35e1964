"""A resident's hot reads with the caller from the principal cache run on a plain
connection of the request's own (server/database/connection.py): no ORM session, one
ROLLBACK, the connection back in the pool clean, and the same answers, byte for byte,
as when the caller is loaded through the session (the cache off)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from server import create_app
from server.extensions import db
from server.services.money import fees
from server.services.people import principal_cache, token_cache
from tests.conftest import app_env
from tests.factories import build_world, self_governance_fee

HOT_READS = ("/api/v1/bills", "/api/v1/issues", "/api/v1/issues/{open}", "/api/v1/issues/{closed}")


@pytest.fixture
def world(app, committed_db):
    world = build_world("rc")
    self_governance_fee(world.compound)
    db.session.commit()
    for period in ("2026-10", "2026-11"):
        fees.generate_bills(period, "rc")
    db.session.commit()
    client = app.test_client()  # each request on its own (committed_db)
    world.open, world.closed = (
        _report(client, world, "楼道灯不亮"),
        _report(client, world, "水管漏水"),
    )
    for who, action in (("liaison_1_1", "accept"), ("liaison_1_1", "resolve")):
        _act(client, world, who, action, note="修好了")
    _act(client, world, "resident_1_1", "confirm", rating=5)
    return world


def _report(client, world, title: str) -> int:
    body = {"category": "repair", "title": title, "description": "三楼"}
    body["household_id"] = world.household_ids["1-1-101"]
    made = client.post("/api/v1/issues", json=body, headers=world.headers("resident_1_1"))
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def _act(client, world, who: str, action: str, **fields) -> None:
    url = f"/api/v1/issues/{world.closed}/transitions"
    done = client.post(url, json={"action": action, **fields}, headers=world.headers(who))
    assert done.status_code == 200, done.get_json()


@pytest.fixture
def cached_app(database_url, sandbox, world):
    """An app of its own with the principal cache on (as in production), counting the
    DBAPI rollbacks and commits, the sessions begun and the connections returned open."""
    app = create_app(app_env(database_url, sandbox, PRINCIPAL_CACHE_SECONDS="5"))
    app.counts = {"rollback": 0, "commit": 0, "sessions": 0, "returned_open": []}

    def began(_session, _transaction, _connection):
        app.counts["sessions"] += 1

    with app.app_context():
        engine = db.engine
        rollback, commit = engine.dialect.do_rollback, engine.dialect.do_commit

        def counted_rollback(dbapi_connection):
            app.counts["rollback"] += 1
            rollback(dbapi_connection)

        def counted_commit(dbapi_connection):
            app.counts["commit"] += 1
            commit(dbapi_connection)

        engine.dialect.do_rollback = counted_rollback
        engine.dialect.do_commit = counted_commit

        @event.listens_for(engine, "checkin")
        def _returned(dbapi_connection, _record):
            if dbapi_connection is not None and engine.dialect.name != "sqlite":
                cursor = dbapi_connection.cursor()
                cursor.execute("SELECT @@in_transaction")
                app.counts["returned_open"].append(bool(cursor.fetchone()[0]))
                cursor.close()

    event.listen(Session, "after_begin", began)
    yield app
    event.remove(Session, "after_begin", began)
    with app.app_context():
        del engine.dialect.do_rollback, engine.dialect.do_commit
        db.engine.dispose()
    app.extensions.pop(principal_cache.EXTENSION, None)
    app.extensions.pop(token_cache.EXTENSION, None)


def _urls(world) -> list[str]:
    return [url.format(open=world.open, closed=world.closed) for url in HOT_READS]


def test_a_cached_callers_hot_reads_need_no_session_and_roll_back_once(cached_app, world):
    client = cached_app.test_client()
    headers = world.headers("resident_1_1")
    for url in _urls(world):
        assert client.get(url, headers=headers).status_code == 200  # the caller cached
        cached_app.counts.update(rollback=0, commit=0, sessions=0, returned_open=[])
        reply = client.get(url, headers=headers)
        assert reply.status_code == 200, (url, reply.get_json())
        assert cached_app.counts["sessions"] == 0, url
        assert cached_app.counts["rollback"] == 1, url  # the pool's reset sends none after it
        assert cached_app.counts["commit"] == 0, url
        assert True not in cached_app.counts["returned_open"], url


def test_the_answers_are_the_same_bytes_as_through_the_session(app, cached_app, world):
    headers = world.headers("resident_1_1")
    through_session = app.test_client()  # the tests' app: the cache off
    cached = cached_app.test_client()
    for url in _urls(world):
        cached.get(url, headers=headers)  # the caller cached
        expected = through_session.get(url, headers=headers)
        assert expected.status_code == 200
        assert cached.get(url, headers=headers).get_data() == expected.get_data(), url


def test_another_households_issue_stays_hidden_from_a_cached_caller(cached_app, world):
    client = cached_app.test_client()
    stranger = world.headers("resident_1_2")  # another unit's resident
    for _round in range(2):  # the second from the cache
        reply = client.get(f"/api/v1/issues/{world.open}", headers=stranger)
        assert reply.status_code == 404
        assert reply.get_json()["code"] == "issue_not_found"
        listed = client.get("/api/v1/issues", headers=stranger).get_json()["items"]
        assert world.open not in [item["id"] for item in listed]
        foreign = client.get(
            f"/api/v1/bills?household_id={world.household_ids['1-1-101']}", headers=stranger
        )
        assert foreign.status_code == 404


def test_a_handler_reading_the_reporters_name_logs_it_on_one_connection(cached_app, world):
    client = cached_app.test_client()
    headers = world.headers("liaison_1_1")
    url = f"/api/v1/issues/{world.open}"
    assert client.get(url, headers=headers).status_code == 200  # the caller cached
    cached_app.counts.update(rollback=0, commit=0, sessions=0, returned_open=[])
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200
    assert reply.get_json()["reporter_name"]
    assert cached_app.counts["commit"] == 1  # the access log's entry
    assert cached_app.counts["sessions"] >= 1
    with cached_app.app_context():
        logged = db.session.execute(
            text(
                "SELECT COUNT(*) FROM access_logs WHERE actor_id = :me AND subject_id = :issue"
                " AND subject_type = 'issue_reporter'"
            ),
            {"me": world.user_ids["liaison_1_1"], "issue": world.open},
        ).scalar()
        db.session.remove()
    assert logged >= 1
