"""A connection goes back to the pool with no transaction open, rolled back once
(server/database/engine.py `_roll_back_on_return_once`), on SQLite and MariaDB."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, text

from server import create_app
from server.extensions import db
from server.services.money import fees
from tests.conftest import app_env
from tests.factories import build_world, self_governance_fee


@dataclass
class Watched:
    app: object
    rollbacks: int = 0
    returned_open: list[bool] = field(default_factory=list)  # per checkin


def _in_transaction(dbapi_connection) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return dbapi_connection.in_transaction
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT @@in_transaction")  # MariaDB; starts none itself
        return bool(cursor.fetchone()[0])
    finally:
        cursor.close()


@pytest.fixture
def watched(database_url, sandbox, monkeypatch):
    """An app of its own: every DBAPI rollback counted, each returned connection checked
    for an open transaction (after the pool's reset)."""
    app = create_app(app_env(database_url, sandbox))
    found = Watched(app)
    with app.app_context():
        engine = db.engine
        rollback = engine.dialect.do_rollback

        def counted(dbapi_connection):
            found.rollbacks += 1
            rollback(dbapi_connection)

        monkeypatch.setattr(engine.dialect, "do_rollback", counted)

        @event.listens_for(engine, "checkin")
        def _returned(dbapi_connection, _record):
            if dbapi_connection is not None:
                found.returned_open.append(_in_transaction(dbapi_connection))

    yield found
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def resident(app, committed_db) -> dict:
    world = build_world("rr")
    self_governance_fee(world.compound)
    db.session.commit()
    fees.generate_bills("2026-11", "rr")
    found = {"headers": world.headers("resident_1_1"), "household": world.household("1-1-101").id}
    db.session.commit()
    return found


def test_a_read_request_rolls_back_once_and_returns_its_connection_clean(watched, resident):
    client = watched.app.test_client()
    client.get("/api/v1/bills", headers=resident["headers"])  # connects
    watched.rollbacks, watched.returned_open[:] = 0, []
    reply = client.get("/api/v1/bills", headers=resident["headers"])
    assert reply.status_code == 200
    assert watched.rollbacks == 1  # the session's; the pool sends none after it
    assert watched.returned_open == [False]


def test_a_write_request_rolls_back_once_at_most_after_its_commit(watched, resident):
    client = watched.app.test_client()
    client.get("/api/v1/bills", headers=resident["headers"])  # connects
    watched.rollbacks, watched.returned_open[:] = 0, []
    body = {
        "category": "repair",
        "title": "楼道灯不亮了",
        "description": "三楼",
        "household_id": resident["household"],
    }
    reply = client.post("/api/v1/issues", json=body, headers=resident["headers"])
    assert reply.status_code == 201, reply.get_data(as_text=True)[:300]
    # After the COMMIT the view reads the issue back: the session's end rolls that
    # back; no second ROLLBACK from the pool, none after the COMMIT.
    assert watched.rollbacks == 1
    assert watched.returned_open == [False, False]


def test_a_failed_request_returns_its_connection_rolled_back(watched, resident):
    client = watched.app.test_client()
    body = {"category": "repair", "title": "灯", "household_id": 2**40}  # not theirs
    reply = client.post("/api/v1/issues", json=body, headers=resident["headers"])
    assert reply.status_code in {400, 404, 422}
    assert watched.returned_open
    assert True not in watched.returned_open


def test_a_connection_used_raw_or_left_in_a_transaction_is_rolled_back_by_the_pool(
    watched, resident
):
    with watched.app.app_context():
        engine = db.engine
        raw = engine.raw_connection()  # no Connection events at all
        cursor = raw.cursor()
        cursor.execute("SELECT COUNT(*) FROM users")
        cursor.fetchall()
        cursor.close()
        raw.close()
        assert watched.returned_open == [False]

        with engine.connect() as connection:  # a transaction ended, then another begun
            connection.execute(text("SELECT COUNT(*) FROM users"))
            connection.rollback()
            connection.execute(text("SELECT COUNT(*) FROM bills"))
        assert watched.returned_open == [False, False]

        session = db.session
        session.execute(text("SELECT COUNT(*) FROM users"))
        session.commit()
        session.execute(text("SELECT COUNT(*) FROM bills"))
        session.remove()
        assert watched.returned_open == [False, False, False, False]
