"""Engine set-up per database kind."""

from __future__ import annotations

from sqlalchemy import Table, event, insert
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine


def configure_engine(engine: Engine) -> None:
    """SQLite: real transactions and savepoints (SQLAlchemy's documented pysqlite fix),
    WAL so the API and the scheduler can share the file, and foreign keys on.

    Transactions begin IMMEDIATE (taking the write lock up front): a deferred one that
    read first and writes later fails outright if another process wrote in between,
    which the API and the scheduler would do to each other all day. Read-only side
    connections ask for execution_options(sqlite_begin="DEFERRED").
    """
    if engine.dialect.name != "sqlite":
        return

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
    """Insert rows, skipping any that would break a unique key; returns how many were
    new. One statement, no savepoint: on MariaDB a savepoint cannot survive the
    deadlock two racing first inserts can meet, and a rolled-back savepoint aborts
    the transaction instead of just the insert."""
    if not rows:
        return 0
    if connection.dialect.name == "sqlite":
        statement = sqlite_insert(table).on_conflict_do_nothing()
    elif connection.dialect.name in {"mysql", "mariadb"}:
        statement = mysql_insert(table).prefix_with("IGNORE")
    else:  # pragma: no cover - other databases are not supported
        statement = insert(table)
    return connection.execute(statement, rows).rowcount
