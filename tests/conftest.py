"""Test fixtures: one migrated database per session, a rolled-back transaction per test,
and the WeChat sandbox served over real HTTP in a thread.

`TEST_DATABASE_URL` (a MySQL/MariaDB URL) runs the suite against that server;
without it, a fresh SQLite file is used.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import flask_migrate
import pytest
import requests
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, delete, inspect, text, update
from werkzeug.serving import make_server

from server import PROJECT_ROOT, create_app
from server.config import normalise_database_url
from server.extensions import db
from server.models import Base, Issue
from server.storage import EXTENSION_KEY, build_storage
from server.wechat.sandbox import create_sandbox_app

TEST_SECRET_KEY = "test-secret-key-with-at-least-32-characters"


@dataclass
class Sandbox:
    url: str
    state: object
    pay: object = None  # the sandbox's WeChat Pay state (orders, signed notifications)
    pay_v3: object = None  # the sandbox's WeChat Pay API v3 merchant (PayStateV3)

    def messages(self, touser=None) -> list[dict]:
        params = {"touser": touser} if touser else None
        return requests.get(self.url + "sandbox/messages", params=params, timeout=5).json()[
            "messages"
        ]

    def fault(self, path: str, kind: str, value=0, times=1) -> None:
        body = {"path": path, "kind": kind, "value": value, "times": times}
        requests.post(self.url + "sandbox/faults", json=body, timeout=5).raise_for_status()

    def reset(self) -> None:
        with self.state.lock:
            self.state.faults.clear()
            self.state.messages.clear()
            self.state.calls.clear()
            self.state.fetches.update(stable_token=0, token=0)
            # The sandbox runs on the test's clock: a token it handed out under a frozen
            # "tomorrow" (a dispatcher job's test) would still be current for a day and
            # be handed out again, where a test expects one minted now. Each test starts
            # with no token handed out (those handed out stay valid where they are held).
            self.state.stable.clear()
            self.state.classic.clear()
        if self.pay_v3 is not None:
            self.pay_v3.clear_planted()


def serve_in_thread(wsgi_app):
    """Serve a WSGI app on a free loopback port; returns (base url, server)."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


@contextmanager
def served_app(database_url: str, sandbox: Sandbox, **env):
    """An application of its own (`env` added to its settings) behind a real threaded
    HTTP server, for tests whose clients run in threads or processes: (base url, app)."""
    app = create_app(app_env(database_url, sandbox, **env))
    url, server = serve_in_thread(app)
    try:
        yield url, app
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _no_thread_left_behind():
    """The run ends with no non-daemon thread alive: a timer left waiting (the in-memory
    rate limiter arms a 10 ms one on every hit) keeps the interpreter from exiting under
    a clock that does not move, and any other thread left is a test that forgot to join."""
    yield
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
            thread.join(timeout=1)
    left = [
        thread.name
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
    ]
    assert not left, f"threads left running at the end of the tests: {left}"


@pytest.fixture(scope="session")
def sandbox() -> Sandbox:
    sandbox_app = create_sandbox_app()
    url, server = serve_in_thread(sandbox_app)
    yield Sandbox(
        url,
        sandbox_app.extensions["sandbox"],
        sandbox_app.extensions["sandbox_pay"],
        sandbox_app.extensions["sandbox_pay_v3"],
    )
    server.shutdown()


@pytest.fixture(autouse=True)
def _fresh_sandbox(request):
    """Sandbox faults and records never leak from one test into the next."""
    yield
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "linli-test.sqlite3")


def child_pythonpath() -> str:
    """PYTHONPATH for a Python process a test starts: the project first, then what this
    run has (tests/clock under `make test-clock`, so the child's clock moves too)."""
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(PROJECT_ROOT), *([inherited] if inherited else [])])


def app_env(database_url: str, sandbox: Sandbox, **extra) -> dict:
    return {
        "LINLI_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "WECHAT_API_BASE": sandbox.url,
        "WECHAT_PAY_API_BASE": sandbox.url,
        "WECHAT_TIMEOUT": "2",
        # Limits are on, as in production, but far from reach unless a test lowers them.
        "LOGIN_RATE_PER_IP": "10000/minute",
        "LOGIN_RATE_PER_OPENID": "1000/minute",
        "INVITE_RATE": "1000/minute",
        "BINDING_RATE": "1000/minute",
        "UPLOAD_RATE": "1000/minute",
        "CONSOLE_LOGIN_RATE": "10000/minute",
        "LOG_LEVEL": "INFO",
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_url, sandbox):
    """The application on an empty database migrated to head (migrations tested each run)."""
    app = create_app(app_env(database_url, sandbox))
    with app.app_context():
        drop_everything()
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def drop_everything() -> None:
    """Empty the test database completely, alembic_version included."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    with db.engine.begin() as conn:
        if db.engine.dialect.name in {"mysql", "mariadb"}:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        metadata.drop_all(conn)
        if db.engine.dialect.name in {"mysql", "mariadb"}:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session ignores `bind=`; honour it so tests share one connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def bound_session(connection):
    """db.session on `connection`: services commit to savepoints of its transaction."""
    original = db.session
    db.session = db._make_scoped_session(
        {"class_": _BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original


@pytest.fixture
def db_session(app):
    """Every test runs in a transaction that is rolled back: services commit to savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        try:
            with bound_session(connection) as session:
                yield session
        finally:
            transaction.rollback()
            connection.close()


@contextmanager
def built_once(app, tmp_path_factory, build):
    """For a module whose tests all start from the same data: `build(client)` run once,
    on a connection in a transaction rolled back at the end (photos in a folder of
    their own); yields (connection, what `build` returned: its ORM objects detached,
    with what they had loaded). The module's `db_session`
    is then `savepoint_session(app, connection)`: each test runs in a savepoint of that
    transaction, rolled back, so it sees the data exactly as built whatever the tests
    before it did."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setitem(
            app.config, "UPLOAD_DIR", str(tmp_path_factory.mktemp("built") / "uploads")
        )
        monkeypatch.setitem(app.config, "UPLOAD_RATE", "1000/minute")
        monkeypatch.setitem(app.extensions, EXTENSION_KEY, build_storage(app.config))
        with app.app_context():
            connection = db.engine.connect()
            transaction = connection.begin()
            try:
                with bound_session(connection) as session:
                    built = build(app.test_client())
                    # What `build` returned keeps what it had loaded (a world's ids).
                    session().expire_on_commit = False
                    session.commit()
            except BaseException:
                transaction.rollback()
                connection.close()
                raise
        try:
            yield connection, built
        finally:
            with app.app_context():
                transaction.rollback()
                connection.close()


@contextmanager
def savepoint_session(app, connection):
    """A test's session on the connection of `built_once`, inside a savepoint rolled
    back (and released: none pile up) when the test ends."""
    with app.app_context():
        connection.exec_driver_sql("SAVEPOINT built_once_test")
        try:
            with bound_session(connection) as session:
                yield session
        finally:
            connection.exec_driver_sql("ROLLBACK TO SAVEPOINT built_once_test")
            connection.exec_driver_sql("RELEASE SAVEPOINT built_once_test")


class _OwnContextClient(FlaskClient):
    """Runs each request in an app context of its own, as in production (a request
    inside the test's app context would share the test's session and transaction)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def committed_db(app, monkeypatch):
    """For tests whose work crosses connections or processes: real commits, then every
    table is emptied. On SQLite every transaction takes the write lock, so end reads
    in the test's own session (db.session.commit()) before work elsewhere."""
    monkeypatch.setattr(app, "test_client_class", _OwnContextClient)
    with app.app_context():
        yield db.session
        db.session.remove()
        with db.engine.begin() as conn:
            # An issue may point at another as its duplicate: MariaDB checks that
            # self-reference row by row, so cut it before emptying the table.
            conn.execute(update(Issue).values(duplicate_of_id=None))
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def photo_storage(app, tmp_path, monkeypatch):
    """Photos go to a temporary directory, never into instance/; the storage."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "UPLOAD_RATE", "1000/minute")
    storage = build_storage(app.config)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, storage)
    return storage


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())
