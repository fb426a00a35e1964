"""The shape of every job that acts on many rows: pick → commit → lock each → act.

1. `pick` reads the candidates' keys without locking (a locking scan would hold every
   row it reads, and wait on or block every writer), and that transaction ends;
2. for each key, in the pick's order: `lock(*key)` reads the row(s) afresh under a
   row lock (None: gone meanwhile); `due` checks again on what was locked (someone
   may have acted since the pick: a handler accepting the issue, another scheduler);
   `act` does the work; commit. One transaction per row, so a person acting on the
   same row at the same moment waits for that row only, and whoever is first wins
   cleanly.

An exception stops the batch where it is: what was committed stays, the failing row
and the rest wait for the job's next run (the runner records the failure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select

from server.extensions import db

Locked = TypeVar("Locked")


def each_locked(
    pick: Select,
    lock: Callable[..., Locked | None],
    due: Callable[[Locked], bool],
    act: Callable[[Locked], Any],
) -> int:
    """Act on every row `pick` names that is still `due` once locked, each in its own
    transaction (see the module). Returns how many were acted on."""
    keys = db.session.execute(pick).all()
    db.session.commit()
    done = 0
    for key in keys:
        locked = lock(*key)
        if locked is not None and due(locked):
            act(locked)
            done += 1
        db.session.commit()
    return done
