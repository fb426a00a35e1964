"""What a database error means: the database is away, or busy (a lock wait or a deadlock:
the transaction may be tried again). Used by the error handlers, the outbox and settlement."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# MySQL client error numbers that mean "the server is not there": can't connect,
# gone away, lost connection, server shutdown, lock wait/deadlock are not included.
CONNECTION_ERRNOS = {2002, 2003, 2005, 2006, 2013, 2055, 1053, 1927, 4031}


# Lock wait timeout, deadlock: the request may simply be tried again.
BUSY_ERRNOS = frozenset({1205, 1213})
# "SAVEPOINT ... does not exist": a deadlock inside the savepoint rolled the whole
# transaction back, which means the same. (1305 also names a missing function.)
SAVEPOINT_GONE = 1305


def is_deadlock(error: Exception) -> bool:
    """A deadlock: MariaDB chose this transaction to roll back, at once (a lock wait
    timeout, by contrast, has already waited the whole innodb_lock_wait_timeout)."""
    args = getattr(getattr(error, "orig", None), "args", ())
    return bool(args) and is_busy(error) and args[0] != 1205


def is_busy(error: Exception) -> bool:
    """A lock wait timeout or a deadlock: the transaction may be tried again."""
    args = getattr(getattr(error, "orig", None), "args", ())
    if not args:
        return False
    if args[0] == SAVEPOINT_GONE:
        return str(args[1] if len(args) > 1 else "").upper().startswith("SAVEPOINT")
    return args[0] in BUSY_ERRNOS


def is_connection_error(error: DBAPIError) -> bool:
    """The database is not there (cannot connect, gone away, lost, shut down), or SQLite
    cannot open its file or is locked by a busy writer."""
    orig = getattr(error, "orig", None)
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        return args[0] in CONNECTION_ERRNOS
    # SQLite: "unable to open database file", "database is locked" (a busy writer).
    text = str(orig).lower()
    return "unable to open" in text or "database is locked" in text
