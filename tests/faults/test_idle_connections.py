"""A pooled connection the server closed while it was idle (wait_timeout, a restart,
a KILL): no ping on a request's checkout (the view runs again on a fresh connection),
a ping elsewhere (server/database/engine.py `_ping_unless_replayed`).

MariaDB only: SQLite has no connections to lose.
"""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import text

from server import create_app
from server.extensions import db
from tests.conftest import app_env
from tests.faults.conftest import mariadb_only
from tests.faults.killing import kill, killer_connection

pytestmark = [pytest.mark.faults, mariadb_only]


@pytest.fixture
def own_app(database_url, sandbox, monkeypatch):
    """An app of its own (its own pool), counting the pings its dialect sends."""
    app = create_app(app_env(database_url, sandbox))
    pings: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
        ping = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    app.pings = pings
    yield app
    with app.app_context():
        db.engine.dispose()


def _pooled_connection_id(app) -> int:
    """The id of the one connection in the app's pool (checked out outside a request)."""
    with app.app_context():
        assert db.engine.pool.checkedin() == 1
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT CONNECTION_ID()")).scalar()


def test_a_request_on_a_connection_killed_while_idle_runs_again_and_answers(
    own_app, resident_headers, database_url, caplog
):
    client = own_app.test_client()
    first = client.get("/api/v1/bills", headers=resident_headers)
    assert first.status_code == 200
    assert own_app.pings == []  # a request's checkout sends no ping
    killed = _pooled_connection_id(own_app)
    killer = killer_connection(database_url)
    try:
        kill(killer, killed, wait=True)  # the server ends the idle connection
    finally:
        killer.close()
    own_app.pings.clear()
    with caplog.at_level(logging.WARNING, logger="server.database.replay"):
        again = client.get("/api/v1/bills", headers=resident_headers)
    assert again.status_code == 200, again.get_data(as_text=True)[:300]
    assert again.json == first.json
    assert own_app.pings == []
    assert "database connection lost on GET /api/v1/bills; running it again" in caplog.text
    assert _pooled_connection_id(own_app) != killed


def test_outside_a_request_a_connection_killed_while_idle_is_pinged_and_replaced(
    own_app, database_url
):
    with own_app.app_context(), db.engine.connect():
        pass  # a new connection: not pinged
    assert own_app.pings == []
    killed = _pooled_connection_id(own_app)
    assert own_app.pings == [1]  # a pooled one outside a request is
    killer = killer_connection(database_url)
    try:
        kill(killer, killed, wait=True)
    finally:
        killer.close()
    with own_app.app_context():  # as the scheduler or the CLI: no replay around it
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        fresh = db.session.execute(text("SELECT CONNECTION_ID()")).scalar()
        db.session.remove()
    assert fresh != killed


@pytest.mark.slow
def test_a_connection_past_the_servers_wait_timeout_is_replaced_in_a_request(
    own_app, resident_headers
):
    client = own_app.test_client()
    assert client.get("/api/v1/bills", headers=resident_headers).status_code == 200
    with own_app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("SET SESSION wait_timeout = 1")
    time.sleep(2.5)  # the server closes the pooled connection
    reply = client.get("/api/v1/bills", headers=resident_headers)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
