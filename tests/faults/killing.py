"""Killing the app's MariaDB connections from the side, as a crash or a network fault
would: shared by the fault tests."""

from __future__ import annotations

import time

import pymysql
from sqlalchemy.engine import make_url


def killer_connection(database_url: str) -> pymysql.Connection:
    url = make_url(database_url)
    return pymysql.connect(
        host=url.host,
        port=url.port or 3306,
        user=url.username,
        password=url.password or "",
        database=url.database,
        autocommit=True,
    )


def kill_app_connections(killer: pymysql.Connection) -> int:
    """KILL every connection on the test database but the killer's own; how many."""
    with killer.cursor() as cursor:
        cursor.execute(
            "SELECT ID FROM information_schema.PROCESSLIST"
            " WHERE DB = DATABASE() AND ID <> CONNECTION_ID()"
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sum(kill(killer, connection_id) for connection_id in ids)


def kill(killer: pymysql.Connection, connection_id: int, wait: bool = False) -> bool:
    """KILL one connection (False if it had ended already); `wait` until it is gone."""
    with killer.cursor() as cursor:
        try:
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")
        except pymysql.err.OperationalError as error:
            if error.args[0] != 1094:  # unknown thread id: it ended by itself meanwhile
                raise
            return False
        deadline = time.monotonic() + 5
        while wait and time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s",
                (connection_id,),
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.01)
    return True
