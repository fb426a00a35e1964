"""Engine set-up per database kind, and a request's way through a lost connection."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import g, has_app_context, request
from sqlalchemy import Table, event, insert
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from server.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

# A request body up to this size is kept in memory so the view can run a second time.
REPLAYABLE_BODY_BYTES = 64 * 1024


def configure_engine(engine: Engine) -> None:
    """Note every COMMIT sent in a request (see `dispatch_retrying_lost_connection`);
    PyMySQL: connect within connect_timeout; SQLite: see `_configure_sqlite`."""
    event.listen(engine, "commit", _note_commit)
    if engine.dialect.driver == "pymysql":
        event.listen(engine, "do_connect", _connect_within_connect_timeout)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _connect_within_connect_timeout(dialect, _record, cargs, cparams):
    """PyMySQL bounds the TCP connect by connect_timeout but reads the server's greeting
    under read_timeout (30 s, meant for long queries): a database that accepts
    connections and never answers (hung, or a black-holing network) would hold every
    request 30 s. The whole handshake gets connect_timeout; queries get read_timeout."""
    read_timeout, connect_timeout = cparams.get("read_timeout"), cparams.get("connect_timeout")
    if read_timeout is None or connect_timeout is None:
        return None  # connect as configured
    bounded = {**cparams, "read_timeout": connect_timeout}
    connection = dialect.loaded_dbapi.connect(*cargs, **bounded)
    # No public setter; PyMySQL applies this before each read (tests/faults checks it).
    connection._read_timeout = read_timeout
    return connection


def _configure_sqlite(engine: Engine) -> None:
    """SQLite: real transactions and savepoints (SQLAlchemy's documented pysqlite fix),
    WAL so the API and the scheduler can share the file, and foreign keys on.

    Transactions begin IMMEDIATE (taking the write lock up front): a deferred one that
    read first and writes later fails outright if another process wrote in between,
    which the API and the scheduler would do to each other all day. Read-only side
    connections ask for execution_options(sqlite_begin="DEFERRED").
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def insert_ignore(connection: Connection, table: Table, rows: list[dict]) -> int:
    """Insert rows, skipping any whose unique key exists; returns how many were new.
    One statement, no savepoint. Only for rows built whole by our own code: MariaDB's
    INSERT IGNORE also turns a broken foreign key or a NULL into a warning."""
    if not rows:
        return 0
    if connection.dialect.name == "sqlite":
        statement = sqlite_insert(table).on_conflict_do_nothing()
    elif connection.dialect.name in {"mysql", "mariadb"}:
        statement = mysql_insert(table).prefix_with("IGNORE")
    else:  # pragma: no cover - other databases are not supported
        statement = insert(table)
    return connection.execute(statement, rows).rowcount


def _note_commit(_connection: Connection) -> None:
    # Fired before the COMMIT is sent: once it is, the outcome may be unknown, and
    # nothing in this app context may be run again.
    if has_app_context():
        g.database_commit_sent = True


def note_outside_call() -> None:
    """The request is about to do something outside the database that cannot be done
    twice (spend a one-time wx.login code, create an order at WeChat Pay): from here
    on, a lost connection is a 503, not a second run."""
    if has_app_context():
        g.outside_call_made = True


def dispatch_retrying_lost_connection(dispatch: Callable[[], T]) -> T:
    """Run a request's view; if a statement failed because its database connection died
    under it (killed, a failover, a restart) before any COMMIT was sent, run the view
    once more on a fresh connection.

    The server dropped the transaction with the connection, so nothing of the first
    run is left; the second is what the client would do after a 503, without the 503.
    Not retried: a failure to connect (the database is away: a second try only doubles
    the wait), a COMMIT sent (it may have been applied), a body that cannot be read
    twice (a form or an upload, or one bigger than REPLAYABLE_BODY_BYTES), a call
    outside the database that cannot be repeated (`note_outside_call`).
    """
    replayable = _keep_body_for_replay()
    g.database_commit_sent = g.outside_call_made = False
    try:
        return dispatch()
    except DBAPIError as error:
        once_only = g.database_commit_sent or g.outside_call_made
        if not (replayable and _died_under_statement(error) and not once_only):
            raise
        log.warning(
            "database connection lost on %s %s; running it again", request.method, request.path
        )
        db.session.remove()  # its connection is invalidated: ending it sends nothing
        return dispatch()


def _died_under_statement(error: DBAPIError) -> bool:
    # connection_invalidated: SQLAlchemy recognised a disconnect. A statement: the
    # connection was up and lost (not a connect that failed, nor a COMMIT or ROLLBACK).
    return error.connection_invalidated and error.statement is not None


def _keep_body_for_replay() -> bool:
    """Read a small body into memory (views that read it uncached get it again); False
    if the body cannot be given to a second run."""
    if request.content_length is None:
        return "chunked" not in request.headers.get("Transfer-Encoding", "").lower()
    if request.content_length == 0:
        return True
    if request.mimetype in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return False
    if request.content_length > REPLAYABLE_BODY_BYTES:
        return False
    request.get_data(cache=True)
    return True


def end_session(_error: BaseException | None = None) -> None:
    """End the request's session (teardown, before Flask-SQLAlchemy's own).

    Ending it sends a ROLLBACK; on a connection killed after the view's last statement
    that ROLLBACK fails, and the error would escape the request after its answer was
    made, replacing it with the WSGI server's HTML 500. The server dropped the
    transaction with the connection: there is nothing left to roll back.
    """
    try:
        db.session.remove()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database connection lost while ending a request; its answer stands")
        db.session.remove()  # now invalidated, the connection is let go without a word


def insert_or_lock(connection: Connection, table: Table, row: dict) -> None:
    """Insert the row, or lock the existing one with the same key, for update.

    MariaDB: INSERT IGNORE leaves a shared lock on the row it found, and two such
    waiters then asking for the update lock deadlock; ON DUPLICATE KEY UPDATE takes
    the exclusive lock at once, so concurrent first writers queue instead.
    """
    if connection.dialect.name in {"mysql", "mariadb"}:
        key = next(iter(table.primary_key.columns)).name
        statement = mysql_insert(table).values(row)
        connection.execute(statement.on_duplicate_key_update({key: statement.inserted[key]}))
    else:
        insert_ignore(connection, table, [row])
