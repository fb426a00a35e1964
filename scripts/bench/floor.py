"""The floors the bench measures each endpoint against: minimal WSGI apps that do the
database work of the real endpoint and nothing else.

The real app's statements are captured in-process (scripts/bench/floor_capture.py):
for each sampled request line, every call SQLAlchemy made on the DBAPI connection
(pool pre-ping, each statement with its parameters, ROLLBACK, COMMIT) and every HTTP
call to WeChat (login, create payment), in order, with the status and JSON body the
real app answered. This app, under the same gunicorn set-up, answers the same request
line by sending those calls again through the raw driver (PyMySQL, or MySQLdb for a
mysql+mysqldb URL, sqlite3 for tests) on a connection kept per worker thread, fetching
every row, then answering the same status and the same JSON bytes.

- FLOOR_MODE=same (the same-work floor): every call in the real app's order,
  pre-ping and each ROLLBACK included. A COMMIT is sent as a ROLLBACK (the same round
  trip): the floor replays state-changing requests (submit, create payment, notify,
  login) inside a transaction that is rolled back, never committed.
- FLOOR_MODE=lean (the lean floor): what a careful hand-written app would send: the
  statements and HTTP calls, then one ROLLBACK (where a write would COMMIT); no ping.

The body is the captured JSON object serialised again for each request, as Flask
serialises it (sorted keys, compact, non-ASCII kept, a newline); where that does not
reproduce the captured bytes exactly, the captured bytes are sent as they are. The
body is not built from the fetched rows: that would mean retyping each endpoint.

An INSERT's new id (lastrowid, or the id it RETURNs) that later statements of the
same request carry is replaced by the id the replayed INSERT got, so a replay's rows
reference each other as the real request's did (an integer parameter equal to such an
id, and named for it, is taken for it: `issue_id` after an INSERT into issues, `id_1`).
A statement the database refuses with an integrity error (a unique key taken since the
capture: the ledger's next entry, once the real app has paid more orders) has made its
round trip and the work of finding the key taken; the replay goes on with the next one
(the first refusal of each process is logged).

    gunicorn -c deploy/gunicorn.conf.py 'scripts.bench.floor:app'   # env: FLOOR_SAMPLES,
                                                                     # FLOOR_MODE, DATABASE_URL
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sys
import threading
from dataclasses import dataclass, field
from importlib import import_module

# One op is a tuple; its first item says what it is.
PING, EXECUTE, EXECUTE_NO_PARAMS, EXECUTEMANY, ROLLBACK, COMMIT, HTTP = (
    "ping",
    "execute",
    "execute_no_params",
    "executemany",
    "rollback",
    "commit",
    "http",
)
STATEMENTS = (EXECUTE, EXECUTE_NO_PARAMS, EXECUTEMANY)
LASTROWID, RETURNED = 1, 2  # how an INSERT's new id is read


@dataclass(frozen=True)
class NewId:
    """Stands in a captured parameter for the id the n-th INSERT of the request got."""

    n: int


@dataclass
class Sample:
    """One real request and what the real app did for it."""

    endpoint: str
    line: str  # the wrk request line (scripts/bench/run.py: METHOD PATH AUTH CTYPE BODY)
    status: int
    body: bytes
    ops: list[tuple] = field(default_factory=list)
    # (EXECUTE, statement, parameters, takes_id: 0, LASTROWID or RETURNED,
    #  uses_new_id), (PING,), (ROLLBACK,), (COMMIT,), (HTTP, method, url, headers, body)

    @property
    def statements(self) -> int:
        return sum(1 for op in self.ops if op[0] in STATEMENTS)

    @property
    def round_trips(self) -> int:
        return len(self.ops)

    def lean_ops(self) -> list[tuple]:
        """The statements and HTTP calls in order, then one ROLLBACK (one transaction:
        a BEGIN after the first, SQLite's, is left out with the ROLLBACKs)."""
        ops, begun = [], False
        for op in self.ops:
            if op[0] in STATEMENTS and op[1].lstrip()[:5].upper() == "BEGIN":
                if begun:
                    continue
                begun = True
            if op[0] in (*STATEMENTS, HTTP):
                ops.append(op)
        return [*ops, (ROLLBACK,)]

    def same_ops(self) -> list[tuple]:
        """Every call in order; a COMMIT sent as a ROLLBACK (nothing is committed)."""
        return [(ROLLBACK,) if op[0] == COMMIT else op for op in self.ops]


def request_key(method: str, path: str, auth: str, body: str) -> tuple:
    return (method, path, auth, body)


def line_key(line: str) -> tuple:
    method, path, auth, _ctype, body = line.split("\t", 4)
    return request_key(method, path, auth, body)


def flask_json(obj) -> bytes:
    """Flask's serialisation of a JSON answer (the app keeps non-ASCII)."""
    return (
        json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


def body_maker(body: bytes):
    """A function giving the answer's bytes: the JSON serialised again each time when
    that gives the captured bytes exactly, else the captured bytes."""
    try:
        obj = json.loads(body)
    except ValueError:
        return lambda: body
    if flask_json(obj) != body:
        return lambda: body
    return lambda: flask_json(obj)


def save(path, samples: list[Sample], database_url: str) -> None:
    with open(path, "wb") as out:
        pickle.dump({"database_url": database_url, "samples": samples}, out)


def load(path) -> dict:
    with open(path, "rb") as source:
        return pickle.load(source)  # noqa: S301 - the bench's own file


# ----- the driver -----


class Database:
    """Raw DBAPI connections to the app's database, with the app's driver and the
    connect arguments SQLAlchemy would give it (charset, client flags)."""

    def __init__(self, database_url: str):
        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        dialect = url.get_dialect()()
        self.module = import_module(url.get_dialect().import_dbapi().__name__)
        self.cargs, self.cparams = dialect.create_connect_args(url)
        self.driver = url.get_driver_name()
        if self.driver == "pysqlite":
            self.cparams = {**self.cparams, "check_same_thread": False, "isolation_level": None}
        self.Error = self.module.Error

    def connect(self):
        return self.module.connect(*self.cargs, **self.cparams)

    def ping(self, connection) -> None:
        """What SQLAlchemy's pool pre-ping sends (its dialects' do_ping)."""
        if self.driver == "pymysql":
            connection.ping(False)
        elif self.driver == "mysqldb":
            connection.ping()
        else:
            cursor = connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()


def _resolve(value, ids: list):
    if isinstance(value, NewId):
        return ids[value.n]
    if isinstance(value, tuple):
        return tuple(_resolve(v, ids) for v in value)
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    return value


_refused_logged = False


def replay(database: Database, connection, ops: list[tuple], http=None) -> int:
    """Send the ops on `connection`, fetching every row, as the real app did; how many
    statements the database refused (an integrity error: see the module's doc)."""
    global _refused_logged
    ids: list = []
    refused = 0
    for op in ops:
        kind = op[0]
        if kind in STATEMENTS:
            _, statement, parameters, takes_id, uses_id = op
            if uses_id:
                parameters = _resolve(parameters, ids)
            cursor = connection.cursor()
            try:
                if kind == EXECUTE:
                    cursor.execute(statement, parameters)
                elif kind == EXECUTEMANY:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement)
                rows = cursor.fetchall() if cursor.description is not None else None
                if takes_id == RETURNED:
                    ids.append(rows[0][0] if rows else None)
                elif takes_id:
                    ids.append(cursor.lastrowid)
            except database.module.IntegrityError as refusal:
                refused += 1
                if takes_id:
                    ids.append(None)
                if not _refused_logged:
                    _refused_logged = True
                    print(f"floor: refused, going on: {refusal}", file=sys.stderr, flush=True)
            finally:
                cursor.close()
        elif kind == PING:
            database.ping(connection)
        elif kind in (ROLLBACK, COMMIT):
            # The floor never commits: replays of writes are rolled back.
            connection.rollback()
        elif kind == HTTP:
            _, method, url, headers, body = op
            reply = http.request(method, url, headers=headers, data=body, timeout=10)
            reply.content  # noqa: B018 - read the answer whole, as the app does
    return refused


# ----- the WSGI app -----


class Floor:
    def __init__(self, samples: list[Sample], database_url: str, mode: str = "same"):
        if mode not in ("same", "lean"):
            raise ValueError(f"FLOOR_MODE must be same or lean, got {mode!r}")
        self.mode = mode
        self.database = Database(database_url)
        self.answers = {}
        for sample in samples:
            ops = sample.same_ops() if mode == "same" else sample.lean_ops()
            status = f"{sample.status} {'OK' if sample.status < 300 else 'Error'}"
            self.answers[line_key(sample.line)] = (ops, status, body_maker(sample.body))
        self.local = threading.local()

    def connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self.database.connect()
        return connection

    def http(self):
        session = getattr(self.local, "http", None)
        if session is None:
            import requests

            session = self.local.http = requests.Session()
        return session

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        key = request_key(
            environ["REQUEST_METHOD"], path, environ.get("HTTP_AUTHORIZATION", ""), body
        )
        found = self.answers.get(key)
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no captured request matches this one\n"]
        ops, status, make_body = found
        try:
            replay(self.database, self.connection(), ops, self.http())
        except Exception:  # no transaction may stay open, holding locks
            self._drop_connection()
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"replay failed\n"]
        payload = make_body()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        )
        return [payload]

    def _drop_connection(self) -> None:
        connection, self.local.connection = getattr(self.local, "connection", None), None
        if connection is not None:
            with contextlib.suppress(Exception):  # a broken connection is dropped anyway
                connection.close()


def from_environment(environ=os.environ) -> Floor:
    loaded = load(environ["FLOOR_SAMPLES"])
    url = environ.get("DATABASE_URL") or loaded["database_url"]
    return Floor(loaded["samples"], url, environ.get("FLOOR_MODE", "same"))


class _Lazy:
    """gunicorn imports `app` in the master; each worker builds its floor on first use."""

    _floor: Floor | None = None
    _lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._floor is None:
            with self._lock:
                if self._floor is None:
                    type(self)._floor = from_environment()
        return self._floor(environ, start_response)


app = _Lazy()
