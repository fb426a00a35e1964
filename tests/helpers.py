"""Shared test helpers that are not steps a user takes: image bytes, running calls at
the same moment, counting statements, waiting for a condition, a free port, reading the
ledger and the inbox. Steps a user takes are in tests/steps.py, rows in
tests/factories.py."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable

from PIL import Image
from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from server.extensions import db
from server.jobs.tasks import dispatch_outbox
from server.models import LedgerEntry, Notification


def image_bytes(fmt="JPEG", size=(64, 48), mode="RGB", color="teal", **save) -> bytes:
    """A real image of one colour, encoded as `fmt` (Pillow's save options in `save`)."""
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def multipart(data: bytes, name: str, type_: str, field: str = "file") -> dict:
    """A request body as the mini-program's wx.uploadFile sends it, for `client.post(...,
    **multipart(...))`. Encoded here in memory: the test client would spool a big body
    to a temporary file it never closes."""
    part = FileStorage(io.BytesIO(data), filename=name, content_type=type_)
    boundary, body = encode_multipart({field: part})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def together(app, calls: list[Callable]) -> tuple[list, list[Exception]]:
    """Start every call at the same moment, each in a thread with its own app context
    and session; their results (in order) and the exceptions they raised. The test's
    session commits first, so it holds no transaction (on SQLite, no write lock)."""
    db.session.commit()
    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(i, call):
        barrier.wait()
        try:
            with app.app_context():
                results[i] = call()
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def dispatch(app):
    """One run of the scheduler's outbox job, in an app context of its own; its result."""
    with app.app_context():
        return dispatch_outbox()


def statements(fn: Callable) -> list[tuple[str, object]]:
    """The statements `fn()` sends to the database, with their parameters."""
    seen = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return seen


def wait_for(condition: Callable[[], bool], seconds: float, message: Callable[[], str]) -> float:
    """Wait until `condition()`; how long it took. Fails with `message()` after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, message()
        time.sleep(0.05)
    return time.monotonic() - started


def free_port() -> int:
    """A loopback port nothing listens on (for a process a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ledger_entries(account: str | None = None) -> list[LedgerEntry]:
    """The ledger in order, or one account's entries."""
    query = select(LedgerEntry).order_by(LedgerEntry.seq)
    if account:
        query = query.where(LedgerEntry.account == account)
    return list(db.session.scalars(query))


def balance(account: str) -> int:
    """An account's balance in fen: credits less debits."""
    return sum(
        e.amount_fen if e.direction == "credit" else -e.amount_fen for e in ledger_entries(account)
    )


def inbox(user_id: int) -> list[Notification]:
    """A user's in-app notifications, oldest first."""
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )
