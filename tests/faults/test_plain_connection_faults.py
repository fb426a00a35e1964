"""A resident's hot read on the request's own plain connection (the caller from the
principal cache: no session) whose pooled connection the server closed while idle:
the view runs again on a fresh connection and answers, as through a session
(server/database/connection.py, replay.py). MariaDB only."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from server import create_app
from server.extensions import db
from server.services.people import principal_cache, token_cache
from tests.conftest import app_env
from tests.faults.conftest import mariadb_only
from tests.faults.killing import kill, killer_connection

pytestmark = [pytest.mark.faults, mariadb_only]


@pytest.fixture
def cached_app(database_url, sandbox):
    """An app of its own (its own pool) with the principal cache on."""
    app = create_app(app_env(database_url, sandbox, PRINCIPAL_CACHE_SECONDS="5"))
    yield app
    with app.app_context():
        db.engine.dispose()
    app.extensions.pop(principal_cache.EXTENSION, None)
    app.extensions.pop(token_cache.EXTENSION, None)


def _pooled_connection_id(app) -> int:
    with app.app_context():
        assert db.engine.pool.checkedin() == 1
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT CONNECTION_ID()")).scalar()


@pytest.mark.parametrize("url", ["/api/v1/bills", "/api/v1/issues"])
def test_a_hot_read_on_a_killed_connection_runs_again_and_answers(
    cached_app, resident_headers, database_url, caplog, url
):
    client = cached_app.test_client()
    first = client.get(url, headers=resident_headers)  # the caller cached
    assert first.status_code == 200
    killed = _pooled_connection_id(cached_app)
    killer = killer_connection(database_url)
    try:
        kill(killer, killed, wait=True)
    finally:
        killer.close()
    with caplog.at_level(logging.WARNING, logger="server.database.replay"):
        again = client.get(url, headers=resident_headers)
    assert again.status_code == 200, again.get_data(as_text=True)[:300]
    assert again.get_data() == first.get_data()
    assert f"database connection lost on GET {url}; running it again" in caplog.text
    assert _pooled_connection_id(cached_app) != killed
