"""Capturing what the real app sends to the database for a request, and checking that
the floors (scripts/bench/floor.py) still replay what it sends.

The capture runs real requests in-process (Flask's test client, on the bench's
database) and records every call SQLAlchemy makes on the DBAPI connection through the
engine's dialect, which all of them go through: the pool's pre-ping (`do_ping`), each
statement with its parameters (`do_execute`, `do_execute_no_params`,
`do_executemany`), ROLLBACK (`do_rollback`: the session's and the pool's reset on
return) and COMMIT (`do_commit`); and every HTTP call to WeChat (requests'
`Session.send`). A COMMIT is recorded but not sent: the request's transaction is then
rolled back by the ROLLBACK that ends it, so capturing a submit, a payment, a
notification or a login changes nothing in the database (a notification captured can
be replayed, as its order is still open).

The check captures a probe request (one the floors never saw) and compares the shape
of what it sent, the SQL text normalised (whitespace, expanded IN lists and VALUES
rows), with the shapes of the floor's samples: a shape the floor does not replay means
the app's statements changed since the capture, and the row is flagged.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from scripts.bench.floor import (
    COMMIT,
    EXECUTE,
    EXECUTE_NO_PARAMS,
    EXECUTEMANY,
    HTTP,
    LASTROWID,
    PING,
    RETURNED,
    ROLLBACK,
    STATEMENTS,
    NewId,
    Sample,
)

_recording = threading.local()


def _record(op: tuple) -> None:
    ops = getattr(_recording, "ops", None)
    if ops is not None:
        ops.append(op)


def _is_recording() -> bool:
    return getattr(_recording, "ops", None) is not None


def _held() -> bool:
    """A COMMIT was recorded and not sent: the transaction is held open (on the one
    connection of the capture's pool) until the request ends, so what the request
    reads after its commit is still there; ROLLBACKs and BEGINs are recorded, not sent."""
    return _is_recording() and getattr(_recording, "held", False)


def _is_begin(statement: str) -> bool:
    return statement.lstrip()[:5].upper() == "BEGIN"


@contextmanager
def hooks(engine):
    """While active, calls on this engine's DBAPI connections (and HTTP calls through
    requests) made on a thread inside `recording()` are recorded; COMMITs are not sent."""
    import requests

    dialect = engine.dialect
    wrapped = {}

    def execute(cursor, statement, parameters, context=None):
        if not (_held() and _is_begin(statement)):
            wrapped["do_execute"](cursor, statement, parameters, context)
        _record(_statement(EXECUTE, statement, parameters, cursor))

    def execute_no_params(cursor, statement, context=None):
        if not (_held() and _is_begin(statement)):
            wrapped["do_execute_no_params"](cursor, statement, context)
        _record(_statement(EXECUTE_NO_PARAMS, statement, None, cursor))

    def executemany(cursor, statement, parameters, context=None):
        wrapped["do_executemany"](cursor, statement, parameters, context)
        _record(_statement(EXECUTEMANY, statement, parameters, cursor))

    def ping(dbapi_connection):
        _record((PING,))
        return wrapped["do_ping"](dbapi_connection)

    def rollback(dbapi_connection):
        _record((ROLLBACK,))
        if not _held():
            wrapped["do_rollback"](dbapi_connection)

    def commit(dbapi_connection):
        if not _is_recording():
            return wrapped["do_commit"](dbapi_connection)
        _record((COMMIT,))  # not sent: the capture rolls the request back at its end
        _recording.held = True
        return None

    replacements = {
        "do_execute": execute,
        "do_execute_no_params": execute_no_params,
        "do_executemany": executemany,
        "do_ping": ping,
        "do_rollback": rollback,
        "do_commit": commit,
    }
    original_send = requests.Session.send

    def send(session, request, **kwargs):
        if _is_recording():
            headers = {
                k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept")
            }
            _record((HTTP, request.method, request.url, headers, request.body))
        return original_send(session, request, **kwargs)

    for name, replacement in replacements.items():
        wrapped[name] = getattr(dialect, name)
        setattr(dialect, name, replacement)
    requests.Session.send = send
    try:
        yield
    finally:
        requests.Session.send = original_send
        for name in replacements:
            delattr(dialect, name)  # the instance attribute goes; the method is back


_INSERT = re.compile(r"^\s*INSERT\s+(?:IGNORE\s+)?INTO\s+`?(\w+)`?", re.IGNORECASE)


def _statement(kind, statement, parameters, cursor) -> list:
    """The op, with the new id an INSERT made: its lastrowid, or the first column of
    the first row it RETURNs (read from the driver's buffer, which SQLAlchemy then
    fetches as usual; PyMySQL's and MySQLdb's cursors buffer their rows)."""
    inserted = _INSERT.match(statement)
    takes_id, new_id = 0, None
    if inserted and " RETURNING " in statement.upper():
        rows = getattr(cursor, "_rows", None)
        if rows:
            takes_id, new_id = RETURNED, rows[0][0]
    elif inserted and cursor.lastrowid:
        takes_id, new_id = LASTROWID, cursor.lastrowid
    table = inserted.group(1) if inserted else None
    return [kind, statement, parameters, takes_id, (new_id, table)]


@contextmanager
def recording(ops: list):
    _recording.ops, _recording.held = ops, False
    try:
        yield ops
    finally:
        _recording.ops, _recording.held = None, False


@contextmanager
def one_connection(engine):
    """The engine's pool swapped for one of a single connection (the same settings
    otherwise: pre-ping, reset on return, events), so a request whose COMMIT was held
    back finds its own writes on its next checkout."""
    from sqlalchemy.pool import QueuePool

    original = engine.pool
    if not isinstance(original, QueuePool):
        yield
        return
    engine.pool = QueuePool(
        original._creator,
        pool_size=1,
        max_overflow=0,
        timeout=10,
        pre_ping=original._pre_ping,
        recycle=original._recycle,
        reset_on_return=original._reset_on_return,
        _dispatch=original.dispatch,
        dialect=original._dialect,
    )
    try:
        yield
    finally:
        engine.pool.dispose()
        engine.pool = original


def _roll_back(engine) -> None:
    """End a request whose COMMIT was held back: its transaction is rolled back."""
    connection = engine.raw_connection()
    try:
        connection.rollback()
    finally:
        connection.close()


def _link_new_ids(ops: list) -> list[tuple]:
    """Ops as tuples, an INSERT's new id in later parameters replaced by NewId(n): a
    named parameter whose name says it is that table's id (`issue_id` after an INSERT
    into issues, or `id`, `id_1`, `pk_1`), or a positional one of the same value."""
    ids: dict[int, tuple[int, str]] = {}  # new id -> (its number, its table)
    taken = 0
    out = []
    for op in ops:
        if op[0] in STATEMENTS:
            kind, statement, parameters, takes_id, (new_id, table) = op
            uses = False
            if ids:
                parameters, uses = _substitute(parameters, ids, None)
            out.append((kind, statement, parameters, takes_id, uses))
            if takes_id:
                ids[new_id] = (taken, table)
                taken += 1
        else:
            out.append(tuple(op))
    return out


def _names_its_id(name: str | None, table: str) -> bool:
    if name is None:
        return True
    if re.fullmatch(r"(id|pk)(_\d+)?", name):
        return True
    singular = re.sub(r"ies$", "y", table) if table.endswith("ies") else table.rstrip("s")
    return re.fullmatch(rf"{singular}_id(_\d+)?", name) is not None


def _substitute(value, ids: dict, name: str | None):
    if isinstance(value, int) and not isinstance(value, bool) and value in ids:
        n, table = ids[value]
        if _names_its_id(name, table):
            return NewId(n), True
        return value, False
    if isinstance(value, tuple | list):
        parts = [_substitute(v, ids, None) for v in value]
        return type(value)(p for p, _ in parts), any(u for _, u in parts)
    if isinstance(value, dict):
        parts = {k: _substitute(v, ids, k) for k, v in value.items()}
        return {k: p for k, (p, _) in parts.items()}, any(u for _, u in parts.values())
    return value, False


def send(client, line: str):
    method, path, auth, ctype, body = line.split("\t", 4)
    headers = {"Authorization": auth} if auth else {}
    if ctype:
        headers["Content-Type"] = ctype
    return client.open(path, method=method, headers=headers, data=body.encode() or None)


def capture(app, endpoint: str, lines: list[str]) -> list[Sample]:
    """Each line sent to the app in-process, with what it sent to the database."""
    from server.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    samples = []
    with one_connection(engine), hooks(engine):
        with engine.connect() as warm:  # the pool holds a connection: pre-ping is seen
            warm.exec_driver_sql("SELECT 1").all()
        for line in lines:
            ops: list = []
            with recording(ops):
                try:
                    reply = send(client, line)
                finally:
                    held = _recording.held
            if held:
                _roll_back(engine)
            if reply.status_code >= 400:
                raise SystemExit(
                    f"{endpoint}: {reply.status_code} {reply.get_data(as_text=True)[:300]}"
                )
            samples.append(
                Sample(endpoint, line, reply.status_code, reply.get_data(), _link_new_ids(ops))
            )
    return samples


# ----- the check -----

_PLACEHOLDER = r"(?:%s|\?|%\(\w+\)s|:\w+)"


def normalise(statement: str) -> str:
    """SQL text with its whitespace, expanded IN lists and repeated VALUES rows folded."""
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(rf"{_PLACEHOLDER}(?:\s*,\s*{_PLACEHOLDER})*", "%s…", text)
    return re.sub(r"(\([^()]*\))(?:\s*,\s*\1)+", r"\1…", text)


def shape(ops: list[tuple]) -> tuple:
    """What a request sent, without its parameters."""
    out = []
    for op in ops:
        if op[0] in STATEMENTS:
            out.append((op[0], normalise(op[1])))
        elif op[0] == HTTP:
            out.append((HTTP, op[1], op[2].split("?", 1)[0]))
        else:
            out.append((op[0],))
    return tuple(out)


def describe(ops_shape: tuple) -> str:
    return "; ".join(
        f"{part[0]} {part[1]}" if part[0] in STATEMENTS else " ".join(part[:3])
        for part in ops_shape
    )


def check(app, endpoint: str, samples: list[Sample], probes: list[str]) -> tuple[list, list]:
    """Capture the probe lines and compare what they sent with what the floor replays.
    Returns (the probes' samples, problems: one sentence per probe whose shape the
    floor's samples do not have)."""
    known = {shape(s.ops) for s in samples}
    # The probes run minutes after the capture: a caller's cached user and roles
    # (PRINCIPAL_CACHE_SECONDS) have expired since, while in the capture they were
    # cached for some lines and not for others (under load both happen). Each probe is
    # sent twice, cold then warm, and stands if either matches what the floor replays.
    cold = capture(app, endpoint, probes)
    warm = capture(app, endpoint, probes)
    probed, problems = [], []
    for first, second in zip(cold, warm, strict=True):
        sample = first if shape(first.ops) in known and shape(second.ops) not in known else second
        probed.append(sample)
        got = shape(sample.ops)
        if got not in known:
            closest = min(known, key=lambda k: _distance(k, got)) if known else ()
            at = next(
                (i for i, (a, b) in enumerate(zip(got, closest, strict=False)) if a != b),
                min(len(got), len(closest)),
            )
            now, before = _around_difference(got[at : at + 1], closest[at : at + 1])
            problems.append(
                f"{endpoint}: call {at + 1} of {len(got)} the app sends now is [{now}] "
                f"where the floor replays [{before}] ({len(closest)} calls)"
            )
    return probed, problems


def _around_difference(now: tuple, before: tuple) -> tuple[str, str]:
    """The two calls described, two statements from a little before their first
    differing character."""
    a, b = describe(now) or "nothing more", describe(before) or "nothing more"
    if now and before and now[0][0] in STATEMENTS and before[0][0] in STATEMENTS:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
        start = max(0, at - 60)
        if start:
            a, b = f"{a[:12]} …{a[start : start + 200]}", f"{b[:12]} …{b[start : start + 200]}"
    return a, b


def _distance(a: tuple, b: tuple) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


__all__ = ["COMMIT", "PING", "ROLLBACK", "capture", "check", "hooks", "normalise", "shape"]
