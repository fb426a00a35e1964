"""The request's plain connection: the hot reads (a resident's bills, issue list and
issue) run as Core statements on it, without an ORM Session.

A session costs a resident's read more CPU than its statements do (made, begun, its
connection checked out through it, closed; every statement through the ORM's
execution). A request whose caller came from the principal cache has touched no
session when its view starts: `connection()` then checks out a connection of its own,
kept on `g` for the request; a request that already has a session (the caller was
loaded with it; a test's session bound to its transaction) reads on the session's
connection, so a request holds one connection and sees its own writes either way.
A view that writes through the session afterwards must ask for the session's
connection first (`connection(session=True)`).

Ending it is `end_session`'s work (`replay.py`, teardown): `close()` rolls back what
the reads began (one ROLLBACK; the pool's reset skips a connection so ended:
`engine._roll_back_on_return_once`). A connection lost under a statement raises a
DBAPIError with `connection_invalidated` as through a session, so the view is run
again (`replay.dispatch_retrying_lost_connection` lets it go first: `close()`) or, where
nothing may be run twice, the error handlers answer 503.
"""

from __future__ import annotations

from flask import g
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from server.extensions import db

_KEY = "linli_plain_connection"


def connection(*, session: bool = False) -> Connection:
    """The connection this request reads on: the session's if it has one (or
    `session`), else one of its own, checked out at the first call."""
    own = g.get(_KEY)
    if own is not None:
        return own
    if session or db.session.registry.has():
        return db.session.connection()
    own = db.engine.connect()
    setattr(g, _KEY, own)
    return own


def in_use() -> bool:
    """Whether this request checked out a connection of its own."""
    return g.get(_KEY) is not None


def roll_back() -> None:
    """End the transaction of the request's own connection (a deadlock's replay)."""
    own = g.get(_KEY)
    if own is not None:
        own.rollback()


def close() -> None:
    """Roll back and return the request's own connection (teardown, or before a replay;
    an invalidated one is let go without a word). On a connection
    killed after the view's last statement the ROLLBACK fails: the server dropped the
    transaction with it, the answer stands, and the connection is let go."""
    own = g.pop(_KEY, None)
    if own is None:
        return
    try:
        own.close()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        own.invalidate()
        own.close()
