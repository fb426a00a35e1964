"""What a database error means, alike from PyMySQL and mysqlclient (MySQLdb): the
error handlers, the replay and the outbox classify both drivers' errors the same."""

from __future__ import annotations

import pymysql
import pytest
from sqlalchemy.exc import OperationalError

from server.database.errors import is_busy, is_connection_error, is_deadlock

DRIVERS = [pytest.param(pymysql, id="pymysql")]
try:
    import MySQLdb

    DRIVERS.append(pytest.param(MySQLdb, id="mysqlclient"))
except ImportError:  # pragma: no cover - make install builds it where it can
    DRIVERS.append(
        pytest.param(None, id="mysqlclient", marks=pytest.mark.skip("mysqlclient not installed"))
    )


def wrapped(driver, code: int, message: str) -> OperationalError:
    return OperationalError("SELECT 1", {}, driver.OperationalError(code, message))


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("code", "message", "away", "busy", "deadlock"),
    [
        (2003, "Can't connect to server on '127.0.0.1' (111)", True, False, False),
        (2006, "Server has gone away", True, False, False),
        (2013, "Lost connection to server during query", True, False, False),
        (
            4031,
            "The client was disconnected by the server because of inactivity",
            True,
            False,
            False,
        ),
        (
            1213,
            "Deadlock found when trying to get lock; try restarting transaction",
            False,
            True,
            True,
        ),
        (1205, "Lock wait timeout exceeded; try restarting transaction", False, True, False),
        (1305, "SAVEPOINT sa_savepoint_1 does not exist", False, True, True),
        (1062, "Duplicate entry '1' for key 'PRIMARY'", False, False, False),
    ],
)
def test_both_drivers_errors_mean_the_same(driver, code, message, away, busy, deadlock):
    error = wrapped(driver, code, message)
    assert is_connection_error(error) is away
    assert is_busy(error) is busy
    assert is_deadlock(error) is deadlock
