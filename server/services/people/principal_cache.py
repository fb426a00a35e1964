"""The caller's user and roles, kept per worker process for PRINCIPAL_CACHE_SECONDS so an
authenticated request does not SELECT them again (server/services/people/access.py).

What is kept: detached copies of the User row and its Membership rows, keyed by user
id, per app (one app per worker). A request's `Principal` is made of them as they are
(its memberships read only); only when it asks for `principal.user` is the user
attached to its session, by `session.merge(obj, load=False)` (SQLAlchemy's pattern for
cached objects: no SQL), so lazy loads and writes through `principal.user` work as on
a loaded user (`attach`).

Invalidation, in this process, at once: any flush that adds, changes or deletes a User
or a Membership row drops that user's entry (and again after its COMMIT or ROLLBACK);
an INSERT, UPDATE or DELETE statement on users or memberships run through a session
(`delete(Membership)`, `update(User)`) drops every entry. A copy is stored only if
nothing was invalidated since its transaction began, so a read racing a change in
another thread never stores the old roles.

Other worker processes (gunicorn runs two) keep what they have until it expires: a role
granted or revoked, a user disabled, erased or anonymised, is seen there within
PRINCIPAL_CACHE_SECONDS (5 s by default; 0 turns the cache off, as in testing unless
set). Thread-safe: one lock around the entries; the copies are never changed after
they are stored (merge only reads them).
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from server.models import Membership, User

EXTENSION = "linli.principal_cache"
WATCHED_TABLES = frozenset({User.__tablename__, Membership.__tablename__})
# session.info keys: the invalidation epoch when its transaction began; user ids its
# flushes changed (None: all) since.
_BEGAN_AT = "linli.principal_epoch"
_CHANGED = "linli.principal_changed"

clock = time.monotonic  # tests move it
SWEEP_AT = 1024  # entries before expired ones are swept out


@dataclass(frozen=True)
class Entry:
    expires: float
    user: User  # detached, with `memberships` set to the detached copies
    memberships: tuple[Membership, ...]


class PrincipalCache:
    """One app's entries. Every method is safe from any thread."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._entries: dict[int, Entry] = {}
        self._lock = threading.Lock()
        self._sweep_at = SWEEP_AT
        _caches.add(self)

    def get(self, user_id: int) -> Entry | None:
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        if entry.expires <= clock():
            with self._lock:
                if self._entries.get(user_id) is entry:
                    del self._entries[user_id]
            return None
        return entry

    def put(self, session: Session, user: User) -> None:
        """Keep copies of a user just loaded (with its memberships) in `session`, unless
        anything was invalidated since the session's transaction began."""
        began_at = session.info.get(_BEGAN_AT)
        changed = session.info.get(_CHANGED, ())
        if began_at is None or changed is None or user.id in changed:
            return
        memberships = tuple(_detached_copy(m) for m in user.memberships)
        copy = _detached_copy(user)
        set_committed_value(copy, "memberships", list(memberships))
        entry = Entry(clock() + self.seconds, copy, memberships)
        with _epoch_lock:
            if _epoch != began_at:
                return
            with self._lock:
                self._entries[user.id] = entry
                if len(self._entries) > self._sweep_at:
                    self._sweep()

    def _sweep(self) -> None:
        """Forget expired entries (a worker meets many users: none is kept for ever).
        Amortised: the next sweep waits until the entries have doubled."""
        now = clock()
        for user_id in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[user_id]
        self._sweep_at = max(SWEEP_AT, 2 * len(self._entries))

    def drop(self, user_ids) -> None:
        with self._lock:
            for user_id in user_ids:
                self._entries.pop(user_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cache() -> PrincipalCache | None:
    """The current app's cache; None when PRINCIPAL_CACHE_SECONDS is 0."""
    app = current_app._get_current_object()
    seconds = app.config.get("PRINCIPAL_CACHE_SECONDS", 0)
    if seconds <= 0:
        return None  # turned off, even after a cache was made while it was on
    found = app.extensions.get(EXTENSION)
    if found is None or found.seconds != seconds:
        found = app.extensions[EXTENSION] = PrincipalCache(seconds)
    return found


def attach(session: Session, entry: Entry) -> User:
    """The cached user, attached to `session` with its memberships: without SQL while
    `entry` is still the cache's; read afresh once it is not (the user or their roles
    changed in this process since, or it expired), as a request that attaches it after
    its own change must see that change."""
    user_id = entry.user.id
    found = cache()
    if found is None or found.get(user_id) is not entry:
        fresh = session.get(User, user_id)
        if fresh is not None:
            return fresh
    return session.merge(entry.user, load=False)


def _detached_copy(obj):
    """A detached instance with the same identity and column values (no SQL: the
    values are read from `obj`, which has them loaded)."""
    mapper = inspect(obj).mapper
    copy = mapper.class_manager.new_instance()
    for attribute in mapper.column_attrs:
        set_committed_value(copy, attribute.key, getattr(obj, attribute.key))
    make_transient_to_detached(copy)
    return copy


# ----- invalidation -----

_caches: weakref.WeakSet[PrincipalCache] = weakref.WeakSet()
_epoch = 0
_epoch_lock = threading.Lock()


def invalidate(user_ids=None) -> None:
    """Drop these users' entries (None: every entry) in every app of this process."""
    global _epoch
    with _epoch_lock:
        _epoch += 1
        for found in list(_caches):
            if user_ids is None:
                found.clear()
            else:
                found.drop(user_ids)


def _note_changed(session: Session, user_ids) -> None:
    changed = session.info.get(_CHANGED, set())
    if changed is not None:
        session.info[_CHANGED] = None if user_ids is None else changed | set(user_ids)
    invalidate(user_ids)


@event.listens_for(Session, "after_begin")
def _began(session, _transaction, _connection) -> None:
    session.info[_BEGAN_AT] = _epoch


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    changed: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, User):
            changed.add(obj.id)
        elif isinstance(obj, Membership):
            changed.add(obj.user_id)
            changed.update(inspect(obj).attrs.user_id.history.deleted or ())
    changed.discard(None)
    if changed:
        _note_changed(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            _note_changed(state.session, None)


def _ended(session) -> None:
    changed = session.info.pop(_CHANGED, set())
    session.info.pop(_BEGAN_AT, None)
    if changed is None:
        invalidate(None)
    elif changed:
        invalidate(changed)


event.listen(Session, "after_commit", _ended)
event.listen(Session, "after_rollback", _ended)
