"""Engine set-up per database kind, and inserts that skip or lock an existing row."""

from __future__ import annotations

from sqlalchemy import Table, event, exc, insert
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from server.database.replay import note_commit, replay_covers_lost_connection

# Connection record info: the connection's transaction was ended by its last COMMIT or
# ROLLBACK and nothing began since.
ENDED = "linli_transaction_ended"


def configure_engine(engine: Engine) -> None:
    """Note every COMMIT sent in a request (see `replay.dispatch_retrying_lost_connection`);
    one ROLLBACK per checkout at most (`_roll_back_on_return_once`); MySQL/MariaDB: ping
    where a lost connection would not be replayed, and PyMySQL connects within
    connect_timeout; SQLite: see `_configure_sqlite`."""
    event.listen(engine, "commit", note_commit)
    _roll_back_on_return_once(engine)
    if engine.dialect.driver == "pymysql":
        event.listen(engine, "do_connect", _connect_within_connect_timeout)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    else:
        connected, ping_unless_replayed = _pinger(engine.dialect)
        event.listen(engine, "connect", connected)
        event.listen(engine, "checkout", ping_unless_replayed)


def _roll_back_on_return_once(engine: Engine) -> None:
    """A connection goes back to the pool rolled back, once (engine_options turns off
    the pool's own reset_on_return, which this replaces).

    Ending a request's session rolls its transaction back, then checks the connection
    in, and the pool's reset-on-return rolled it back a second time: SQLAlchemy skips
    that only when the Connection itself ended the transaction as it closed, not when
    the Session did just before (one ROLLBACK round trip of every request, and one after
    every COMMIT). Here the connection's record remembers whether its last act was a
    COMMIT or ROLLBACK with nothing begun since; the pool's "reset" event rolls back
    any other connection, as reset_on_return would: one checked out raw (no events),
    one whose COMMIT or ROLLBACK failed, one still in a transaction. SQLAlchemy docs:
    "Reset On Return", the pool "reset" event.
    """

    def mark(conn: Connection, transaction_ended: bool) -> None:
        if not (conn.closed or conn.invalidated):  # an invalidated one is not returned
            conn.info[ENDED] = transaction_ended

    def ended(conn: Connection) -> None:
        mark(conn, True)

    def open_(conn: Connection, *_args) -> None:
        mark(conn, False)

    def checked_out(_dbapi_connection, record, _proxy) -> None:
        record.info[ENDED] = False  # used raw, a connection sends no events

    def failed(context) -> None:
        if context.connection is not None:
            mark(context.connection, False)

    def reset(dbapi_connection, record, state) -> None:
        if state.transaction_was_reset or (record is not None and record.info.get(ENDED)):
            return
        engine.dialect.do_rollback(dbapi_connection)

    event.listen(engine, "begin", open_)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    event.listen(engine, "handle_error", failed)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "reset", reset)


def _pinger(dialect):
    def connected(_dbapi_connection, record) -> None:
        record.info["linli_fresh"] = True

    def ping_unless_replayed(dbapi_connection, record, _proxy) -> None:
        if not record.info.pop("linli_fresh", False):  # a new connection needs no ping
            _ping_unless_replayed(dialect, dbapi_connection)

    return connected, ping_unless_replayed


def _ping_unless_replayed(dialect, dbapi_connection) -> None:
    """Ping a pooled connection on checkout, unless a request would be replayed if it
    turned out dead (pool_pre_ping, but only where it is needed).

    A pooled connection may have died while idle (the server's wait_timeout, a restart,
    a failover): a view's first statement on it fails, SQLAlchemy invalidates the pool
    and `replay` runs the view again on a fresh connection, so the request pays nothing
    for the check. Elsewhere (the scheduler, the CLI, the desk's before_request, an upload,
    a statement after a COMMIT) a dead connection would be an error: those ping first,
    and a failed ping makes the pool connect afresh (SQLAlchemy's "pessimistic disconnect
    handling" recipe: DisconnectionError on checkout; the others pooled with it are
    connected afresh too, as pool_pre_ping does)."""
    if replay_covers_lost_connection():
        return
    try:
        alive = dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        raise exc.InvalidatePoolError(str(error)) from error
    if not alive:
        raise exc.InvalidatePoolError("ping failed")


def _connect_within_connect_timeout(dialect, _record, cargs, cparams):
    """PyMySQL bounds the TCP connect by connect_timeout but reads the server's greeting
    under read_timeout (30 s, meant for long queries): a database that accepts
    connections and never answers (hung, or a black-holing network) would hold every
    request 30 s. The whole handshake gets connect_timeout; queries get read_timeout.
    (mysqlclient needs nothing of the kind: libmariadb bounds the handshake by
    connect_timeout itself; tests/faults runs the never-answering database on both.)"""
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
