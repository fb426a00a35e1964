"""A database lease: only its holder runs scheduled jobs.

A second scheduler started by mistake (or on another host) waits as a standby and
takes over once the holder stops renewing, within one lease period.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from server.clock import utcnow
from server.models import SchedulerLease

log = logging.getLogger(__name__)


def make_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, engine: Engine, name: str, ttl_seconds: int, holder: str | None = None):
        self.engine = engine
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or make_holder_id()
        self.held = False

    def acquire(self) -> bool:
        """Take or renew the lease if it is free, expired or ours. False if the
        database cannot be reached (better to skip a run than to run it twice).

        The lease runs from when the row is written, not from when we asked: `now` is
        read once the transaction has begun (on SQLite, BEGIN IMMEDIATE has waited for
        the write lock), so a renewal that waited for a lock is not already partly spent
        (a holder's lease counted from before a 2 s wait on a 3 s lease would lapse
        1 s after its renewal, and a standby take over a holder still renewing)."""
        try:
            with self.engine.begin() as conn:
                now = utcnow()
                taken = conn.execute(
                    update(SchedulerLease)
                    .where(
                        SchedulerLease.name == self.name,
                        or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at < now),
                    )
                    .values(holder=self.holder, expires_at=now + self.ttl)
                ).rowcount
                if not taken:
                    taken = self._insert(conn, now)
        except SQLAlchemyError as exc:
            log.warning("scheduler lease check failed: %s", type(exc).__name__)
            taken = False
        if bool(taken) != self.held:
            log.info(
                "scheduler lease %s %s by %s",
                self.name,
                "acquired" if taken else "lost",
                self.holder,
            )
        self.held = bool(taken)
        return self.held

    def _insert(self, conn, now) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(SchedulerLease).values(
                        name=self.name, holder=self.holder, expires_at=now + self.ttl
                    )
                )
        except IntegrityError:
            return False  # the row exists and someone else holds it
        return True

    def release(self) -> None:
        """Give the lease up at once (clean shutdown), so a standby need not wait."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(SchedulerLease).where(
                        SchedulerLease.name == self.name, SchedulerLease.holder == self.holder
                    )
                )
        except SQLAlchemyError:
            log.warning("could not release the scheduler lease; it will expire")
        self.held = False
