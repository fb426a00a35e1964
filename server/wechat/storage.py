"""A wechatpy `SessionStorage` in the database, shared by every worker and the scheduler.

wechatpy keeps the token's expiry in process memory only; here `get` itself
refuses an expired value, so a process that starts later never uses a dead token.
A row's `expires_at` is the moment to stop using the value: its lifetime less a
safety margin. Each call runs in its own short transaction on its own connection,
never in the caller's unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from wechatpy.session import SessionStorage

from server.clock import utcnow
from server.models import KeyValue

# Treat a value as gone this long before it really expires, or a tenth of its
# lifetime when that is less: a margin longer than the lifetime would make every
# freshly fetched token look expired, and every use fetch another.
EXPIRY_MARGIN = timedelta(seconds=60)


class DatabaseStorage(SessionStorage):
    def __init__(self, engine: Engine, prefix: str = "wechatpy"):
        self.engine = engine
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key, default=None):
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            row = conn.execute(
                select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == self._key(key))
            ).first()
        if row is None or _expired(row.expires_at):
            return default
        return json.loads(row.value)

    def set(self, key, value, ttl=None):
        with self.engine.begin() as conn:
            _write(conn, self._key(key), value, ttl)

    def delete(self, key):
        with self.engine.begin() as conn:
            conn.execute(delete(KeyValue).where(KeyValue.key == self._key(key)))

    @contextmanager
    def locked(self, key: str) -> Iterator[LockedValue]:
        """Hold the row of `key` locked (MySQL: SELECT ... FOR UPDATE) while the caller
        decides whether to refresh it, so concurrent processes fetch once, not N times."""
        full_key = self._key(key)
        # Create the row in its own transaction first: two lockers that both insert and
        # then lock would deadlock on MySQL's shared duplicate-key locks.
        with self.engine.begin() as conn:
            _ensure_row(conn, full_key)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(KeyValue.value, KeyValue.expires_at)
                .where(KeyValue.key == full_key)
                .with_for_update()
            ).one()
            current = None if _expired(row.expires_at) else json.loads(row.value)
            yield LockedValue(conn, full_key, current)


class LockedValue:
    """The value under lock; `set` writes it in the same transaction."""

    def __init__(self, conn: Connection, key: str, value):
        self._conn, self._key, self.value = conn, key, value

    def set(self, value, ttl: int | None) -> None:
        _write(self._conn, self._key, value, ttl)
        self.value = value


def _expired(expires_at) -> bool:
    return expires_at is not None and expires_at <= utcnow()


def _usable_until(ttl: int | None) -> datetime | None:
    if not ttl:
        return None
    lifetime = timedelta(seconds=int(ttl))
    return utcnow() + lifetime - min(EXPIRY_MARGIN, lifetime / 10)


def _ensure_row(conn: Connection, key: str) -> None:
    exists = conn.execute(select(KeyValue.key).where(KeyValue.key == key)).first()
    if exists:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                insert(KeyValue).values(key=key, value="null", expires_at=utcnow() - EXPIRY_MARGIN)
            )
    except IntegrityError:
        pass  # another process created it first


def _write(conn: Connection, key: str, value, ttl: int | None) -> None:
    expires_at = _usable_until(ttl)
    encoded = json.dumps(value, ensure_ascii=False)
    changed = conn.execute(
        update(KeyValue).where(KeyValue.key == key).values(value=encoded, expires_at=expires_at)
    ).rowcount
    if not changed:
        try:
            with conn.begin_nested():
                conn.execute(insert(KeyValue).values(key=key, value=encoded, expires_at=expires_at))
        except IntegrityError:
            conn.execute(
                update(KeyValue)
                .where(KeyValue.key == key)
                .values(value=encoded, expires_at=expires_at)
            )
