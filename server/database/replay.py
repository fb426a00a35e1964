"""A request's way through a lost database connection or a deadlock: the view runs
again when nothing of the first run can have counted.

`configure_engine` (in `engine`) hooks `note_commit` to every COMMIT; the app runs each
view through `dispatch_retrying_lost_connection` and ends its session with `end_session`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from flask import g, has_app_context, request
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from server.database import connection
from server.database.errors import is_deadlock
from server.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

# A request body up to this size is kept in memory so the view can run a second time.
REPLAYABLE_BODY_BYTES = 64 * 1024
# A view that lost a deadlock runs at most this many times more, after a short random
# pause so the two rivals do not meet again at once. (A lock wait timeout is not run
# again: it has already waited innodb_lock_wait_timeout once.)
BUSY_REPLAYS = 3


def note_commit(_connection: Connection) -> None:
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


def replay_covers_lost_connection() -> bool:
    """A connection lost under the next statement would be replayed: inside a view run by
    `dispatch_retrying_lost_connection` that can run again (its body kept, nothing
    committed or called outside, not already a replay after a loss). A checkout outside
    that (the scheduler, the CLI, a before_request hook, an upload) pings first."""
    return (
        has_app_context()
        and bool(g.get("replay_covers", False))
        and not g.get("database_commit_sent", False)
        and not g.get("outside_call_made", False)
    )


def replaying() -> bool:
    """This run of the view is a replay: what the first run counted (a rate limit's hit)
    is not counted again."""
    return has_app_context() and bool(g.get("replaying", False))


def dispatch_retrying_lost_connection(dispatch: Callable[[], T]) -> T:
    """Run a request's view; if a statement failed because its database connection died
    under it (killed, a failover, a restart) before any COMMIT was sent, run the view
    once more on a fresh connection; if it lost a deadlock (MariaDB rolled its transaction
    back), run it again up to BUSY_REPLAYS times. A replay counts no rate-limit hit
    (`replaying`): the first run's did.

    Nothing of the first run is left; the next is what the client would do after a 503,
    without the 503. Not retried: a failure to connect (the database is away: a second
    try only doubles the wait), a COMMIT sent (it may have been applied), a body that
    cannot be read twice (a form or an upload, or one bigger than REPLAYABLE_BODY_BYTES),
    a call outside the database that cannot be repeated (`note_outside_call`).
    """
    flags = g._get_current_object()  # one lookup, not one per flag
    replayable = _keep_body_for_replay()
    lost_once = False
    busy = 0
    flags.replaying = False
    try:
        while True:
            flags.database_commit_sent = flags.outside_call_made = False
            flags.replay_covers = replayable and not lost_once
            try:
                return dispatch()
            except DBAPIError as error:
                once_only = flags.database_commit_sent or flags.outside_call_made
                if not replayable or once_only:
                    raise
                if _died_under_statement(error) and not lost_once:
                    lost_once = True
                    log.warning(
                        "database connection lost on %s %s; running it again",
                        request.method,
                        request.path,
                    )
                    db.session.remove()  # its connection is invalidated: ending it sends nothing
                    connection.close()  # the request's own, if the view read on one
                    flags.replaying = True
                    continue
                if is_deadlock(error) and busy < BUSY_REPLAYS:
                    busy += 1
                    log.warning(
                        "deadlock on %s %s; running it again (%d)",
                        request.method,
                        request.path,
                        busy,
                    )
                    db.session.rollback()  # what is left of the transaction
                    connection.roll_back()
                    time.sleep(random.uniform(0.01, 0.05) * busy)  # noqa: S311 (jitter)
                    flags.replaying = True
                    continue
                raise
    finally:
        # An app context kept past the request (tests) starts clean; teardown pings.
        flags.replaying = flags.replay_covers = False


def _died_under_statement(error: DBAPIError) -> bool:
    # connection_invalidated: SQLAlchemy recognised a disconnect. A statement: the
    # connection was up and lost (not a connect that failed, nor a COMMIT or ROLLBACK).
    return error.connection_invalidated and error.statement is not None


def _keep_body_for_replay() -> bool:
    """Read a small body into memory (views that read it uncached get it again); False
    if the body cannot be given to a second run."""
    asked = request._get_current_object()
    if asked.content_length is None:
        return "chunked" not in asked.headers.get("Transfer-Encoding", "").lower()
    if asked.content_length == 0:
        return True
    if asked.mimetype in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return False
    if asked.content_length > REPLAYABLE_BODY_BYTES:
        return False
    asked.get_data(cache=True)
    return True


def end_session(_error: BaseException | None = None) -> None:
    """End the request's session and its own connection if it read on one
    (`connection.py`) (teardown, before Flask-SQLAlchemy's own).

    Ending it sends a ROLLBACK; on a connection killed after the view's last statement
    that ROLLBACK fails, and the error would escape the request after its answer was
    made, replacing it with the WSGI server's HTML 500. The server dropped the
    transaction with the connection: there is nothing left to roll back.
    """
    connection.close()
    try:
        db.session.remove()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database connection lost while ending a request; its answer stands")
        db.session.remove()  # now invalidated, the connection is let go without a word
