"""Killing the app's MariaDB connections from the side, as a crash or a network fault
would: shared by the fault tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pymysql
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import make_url

from server.extensions import db


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
    """KILL every connection on the test database but the killer's own; how many. Returns
    once every one is gone: a KILL only marks a busy connection, which ends when its
    thread next looks (later still on a busy machine), and one ended after the round
    would meet a request that started after it."""
    with killer.cursor() as cursor:
        cursor.execute(
            "SELECT ID FROM information_schema.PROCESSLIST"
            " WHERE DB = DATABASE() AND ID <> CONNECTION_ID()"
        )
        ids = [row[0] for row in cursor.fetchall()]
    killed = sum(kill(killer, connection_id) for connection_id in ids)
    _wait_until_gone(killer, ids)
    return killed


def kill(killer: pymysql.Connection, connection_id: int, wait: bool = False) -> bool:
    """KILL one connection (False if it had ended already); `wait` until it is gone."""
    with killer.cursor() as cursor:
        try:
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")
        except pymysql.err.OperationalError as error:
            if error.args[0] != 1094:  # unknown thread id: it ended by itself meanwhile
                raise
            return False
    if wait:
        _wait_until_gone(killer, [connection_id])
    return True


def _wait_until_gone(killer: pymysql.Connection, ids: list[int]) -> None:
    deadline = time.monotonic() + 30  # gone within ms when idle; a busy server is slower
    with killer.cursor() as cursor:
        while ids and time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE FIND_IN_SET(ID, %s)",
                (",".join(str(int(i)) for i in ids),),
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.01)


class LostConnections:
    """What a served app (installed before its first request) meets of lost connections,
    and a gate that keeps a kill round from reaching a view run again after a loss.

    Every loss of a connection in a request (SQLAlchemy's handle_error, a disconnect)
    waits at the gate while a round is killing, and marks its request as replaying until
    the request ends; `killing()` holds the gate and first waits for every replay under
    way to end. So a round never kills a replay's connection: that replay's fresh
    connection is made after the round listed the ones it kills, and the next round
    waits for the replay to end. No request loses its connection twice.

    `unreplayed` lists each request answered 503: (path, connections it lost, whether
    its COMMIT had been sent, whether a connect failed)."""

    def __init__(self):
        self.unreplayed: list[tuple[str, int, bool, bool]] = []
        self._gate = threading.Lock()
        self._replaying: set[int] = set()
        self._guard = threading.Lock()

    def install(self, app) -> None:
        with app.app_context():
            engine = db.engine

        def lost(context) -> None:
            if context.connection is None and has_request_context():
                g.connect_failed = True  # a new connection not made within connect_timeout
            # (One lost ending a request already answered is no replay: "its answer stands".)
            if context.is_disconnect and has_request_context() and not g.get("answered"):
                g.lost_connections = g.get("lost_connections", 0) + 1
                with self._gate, self._guard:
                    self._replaying.add(threading.get_ident())

        @app.after_request
        def note_503(response):
            g.answered = True
            if response.status_code == 503:
                committed = bool(g.get("database_commit_sent", False))
                lost, connect_failed = g.get("lost_connections", 0), g.get("connect_failed", False)
                self.unreplayed.append((request.path, lost, committed, connect_failed))
            return response

        @app.teardown_request
        def ended(_error=None) -> None:
            with self._guard:
                self._replaying.discard(threading.get_ident())

        event.listen(engine, "handle_error", lost)

    @contextmanager
    def killing(self, within: float = 30) -> Iterator[None]:
        """Hold the gate once no replay is under way (or `within` seconds have passed)."""
        with self._gate:
            deadline = time.monotonic() + within
            while time.monotonic() < deadline:
                with self._guard:
                    if not self._replaying:
                        break
                time.sleep(0.005)
            yield
