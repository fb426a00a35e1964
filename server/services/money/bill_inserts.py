"""Inserting a bill run's rows fast: one multi-row `INSERT IGNORE` a chunk.

Through the driver's executemany each of a chunk's ~45,000 values is escaped on its
own and each bill's basis serialised again; here (MariaDB/MySQL) the statement is
written once per chunk: integers as integers, every other value turned into SQL by
the column's own type and the driver's own quoting (`literal`), once per distinct
value (a chunk has a handful of periods, one timestamp, one basis per area). Other
databases take the portable path (`insert_ignore`). Only for rows built whole by our
own code (see `insert_ignore`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table

from server.database.engine import insert_ignore


def insert_run_bills(connection: Connection, table: Table, rows: list[dict]) -> int:
    """Insert rows that all have the same keys, skipping any whose unique key exists.
    Returns how many were new."""
    if not rows:
        return 0
    if connection.dialect.name not in {"mysql", "mariadb"}:
        return insert_ignore(connection, table, rows)
    keys = list(rows[0])
    literal = _Literals(connection, table, keys)
    values = ",".join(
        "(" + ",".join([literal(key, row[key]) for key in keys]) + ")" for row in rows
    )
    columns = ",".join(connection.dialect.identifier_preparer.quote(key) for key in keys)
    name = connection.dialect.identifier_preparer.format_table(table)
    # Every value quoted by the driver (or an int): no text of ours goes in unquoted.
    statement = f"INSERT IGNORE INTO {name} ({columns}) VALUES {values}"  # noqa: S608
    # Executed with no parameters the MySQL drivers still %-format the text: a % in
    # a value is written %% (tests/server/services/test_bill_inserts.py reads one back).
    return connection.exec_driver_sql(statement.replace("%", "%%"), {}).rowcount


class _Literals:
    """A value as SQL text: the column type's bind processing, then the driver's quoting;
    remembered per value (per object for dicts and lists, kept alive meanwhile)."""

    def __init__(self, connection: Connection, table: Table, keys: list[str]):
        dialect = connection.dialect
        self.processors = {key: table.c[key].type.bind_processor(dialect) for key in keys}
        raw = connection.connection.dbapi_connection
        # PyMySQL's escape (its literal is deprecated); mysqlclient's literal (bytes).
        self.quote = raw.escape if type(raw).__module__.startswith("pymysql") else raw.literal
        self.known: dict = {}

    def __call__(self, key: str, value) -> str:
        if type(value) is int:
            return str(value)
        cache_key = (key, id(value)) if isinstance(value, dict | list) else (key, value)
        known = self.known.get(cache_key)
        if known is None:
            process = self.processors[key]
            text = self.quote(process(value) if process else value)
            if isinstance(text, bytes):  # mysqlclient
                text = text.decode()
            known = self.known[cache_key] = (text, value)
        return known[0]
