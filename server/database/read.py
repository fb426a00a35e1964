"""Reads that may go to a replica: the committee's lists, figures and exports.

`DATABASE_READ_URL` names a replica (unset: the primary serves every read). A view marked
`@replica_reads` runs with `db.session` on the replica engine; everything else, and every
read that decides money (a balance before a payment, the bills being paid, a refund, an
approval, any read followed by a write in the same request), stays on the primary. The
README's Deploying section has the table of endpoints and the consistency each needs.

The mark goes below `@bp.auth_required` (the caller and their roles are read from the
primary: a role revoked a second ago is revoked) and above `@bp.input`/`@bp.output` (the
answer is built and serialized while the replica session is open). The replica session
writes nothing: a flush or a statement that writes (an access-log INSERT too) raises.

A replica that cannot be reached (cannot connect, connection lost) does not fail the
request: the view runs again on the primary, and this process sends its reads to the
primary for DOWN_SECONDS before trying the replica again. `/healthz` says which
(`replica`: "ok", "down" or "none" when there is no replica).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Flask, current_app
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from server.database.errors import is_connection_error
from server.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

# After a replica fails, this process reads from the primary this long before trying it
# again (a replica away costs one failed connect per process per period, not per request).
DOWN_SECONDS = 30.0


@dataclass
class ReadReplica:
    engine: Engine
    down_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def mark_down(self, error: Exception) -> None:
        with self.lock:
            fresh = not self.is_down()
            self.down_until = time.monotonic() + DOWN_SECONDS
        if fresh:
            log.warning(
                "read replica unreachable (%s); reading from the primary for %d s",
                type(error).__name__,
                DOWN_SECONDS,
            )

    def mark_up(self) -> None:
        self.down_until = 0.0


def init_read_replica(app: Flask) -> None:
    """Build the replica's engine when DATABASE_READ_URL is set (at start-up)."""
    from server.database.engine import configure_engine

    url = app.config.get("DATABASE_READ_URI")
    if not url:
        app.extensions.pop("read_replica", None)
        return
    engine = create_engine(url, **app.config.get("DATABASE_READ_ENGINE_OPTIONS", {}))
    configure_engine(engine)
    if engine.dialect.name == "sqlite":  # the same file in development: read, never lock
        engine = engine.execution_options(sqlite_begin="DEFERRED")
    app.extensions["read_replica"] = ReadReplica(engine)


def replica() -> ReadReplica | None:
    """This app's replica, if one is configured."""
    return current_app.extensions.get("read_replica")


def _refuse_writes(session, _flush_context, _instances) -> None:
    raise RuntimeError("a replica session writes nothing: this view must read the primary")


def _refuse_write_statements(state: ORMExecuteState) -> None:
    """A statement of its own (an INSERT like the access log's, an UPDATE, a DELETE)
    is refused as a flush is: sent to the replica it would be lost, or worse, kept there."""
    if state.is_insert or state.is_update or state.is_delete:
        _refuse_writes(state.session, None, None)


def _replica_session(engine: Engine) -> Session:
    session = Session(bind=engine, autoflush=False, expire_on_commit=False)
    event.listen(session, "before_flush", _refuse_writes)
    event.listen(session, "do_orm_execute", _refuse_write_statements)
    return session


def replica_reads(view: Callable[..., T]) -> Callable[..., T]:
    """Run the view with `db.session` on the replica (see the module's notes); on the
    primary when there is no replica, or it is down."""

    @functools.wraps(view)
    def run(*args, **kwargs) -> T:
        target = replica()
        if target is None or target.is_down():
            return view(*args, **kwargs)
        try:
            return _on(target, view, args, kwargs)
        except DBAPIError as error:
            if not (error.connection_invalidated or is_connection_error(error)):
                raise
            target.mark_down(error)
        return view(*args, **kwargs)  # on the primary, from the start

    return run


def _on(target: ReadReplica, view: Callable[..., T], args, kwargs) -> T:
    registry = db.session.registry
    primary = registry()
    session = _replica_session(target.engine)
    registry.set(session)
    try:
        return view(*args, **kwargs)
    finally:
        registry.set(primary)
        try:
            session.close()
        except DBAPIError:  # its connection died: nothing is left to roll back
            session.invalidate()


def check_replica() -> str:
    """For /healthz: "ok", "down" (reads go to the primary meanwhile) or "none"."""
    target = replica()
    if target is None:
        return "none"
    if target.is_down():
        return "down"
    try:
        with target.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        target.mark_down(error)
        return "down"
    target.mark_up()
    return "ok"
