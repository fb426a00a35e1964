"""Copy every stored file from one storage to another, each copy read back and checked
(size and sha256) before the run counts it done.

Two passes over what the source holds:
- photos (`Upload` rows, in id order): checked against the row's sha256 before writing,
  so a photo missing or damaged in the source is reported, never copied;
- every other file in the source (listed by key): the desk's roster files waiting for
  确认导入 (desk-roster/...), and any file no row points at. They have no recorded
  hash: the target's copy is checked against the bytes read from the source.

Idempotent and resumable: a file already in the target with the same bytes is skipped,
so a run stopped halfway is simply run again. The source is left as it was (switch
STORAGE_BACKEND once a run reports no problem; keep the old copy as a backup). Each
key is the same in every store, so whatever names a file (an Upload row, a desk
session's cookie) finds it in the target once the switch is made.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import select

from server.extensions import db
from server.models import Upload
from server.storage import Storage
from server.storage.keys import ROSTER_DRAFT_PREFIX

log = logging.getLogger(__name__)

BATCH = 200
PHOTOS, ROSTER_FILES, OTHER_FILES = "photos", "roster files", "other files"


@dataclass
class Tally:
    """What a run did with one kind of file, each file counted once."""

    copied: int = 0  # written to the target and read back intact (dry run: would be)
    present: int = 0  # already in the target with the same bytes
    gone: int = 0  # listed in the source, deleted before it was read (a roster file loaded)
    missing: list[str] = field(default_factory=list)  # a photo the source does not have
    corrupt: list[str] = field(default_factory=list)  # a photo not matching its sha256
    failed: list[str] = field(default_factory=list)  # read back from the target wrong

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.corrupt) + len(self.failed)

    @property
    def seen(self) -> int:
        return self.copied + self.present + self.gone + self.problems


@dataclass
class Migration:
    """A run's tallies by kind: photos, roster files, other files."""

    kinds: dict[str, Tally] = field(
        default_factory=lambda: {kind: Tally() for kind in (PHOTOS, ROSTER_FILES, OTHER_FILES)}
    )

    @property
    def photos(self) -> Tally:
        return self.kinds[PHOTOS]

    @property
    def problems(self) -> int:
        return sum(tally.problems for tally in self.kinds.values())


def migrate_files(
    source: Storage,
    target: Storage,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Migration:
    """Copy every photo (`progress` called after each), then every other file of
    `source`, to `target`. Raises StorageUnavailable when either store cannot be
    reached (run it again)."""
    result = Migration()
    migrate_uploads(source, target, result.photos, dry_run=dry_run, progress=progress)
    for keys in _pages(_unrecorded(source.keys())):
        for key in keys:
            kind = ROSTER_FILES if key.startswith(ROSTER_DRAFT_PREFIX) else OTHER_FILES
            _copy_file(source, target, key, result.kinds[kind], dry_run)
            db.session.commit()  # a database store reads in a transaction: end it
    return result


def migrate_uploads(
    source: Storage,
    target: Storage,
    tally: Tally,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Copy every Upload's bytes from `source` to `target` in id order, verifying
    each against Upload.sha256 before writing and after reading it back."""
    after = 0
    while True:
        rows = db.session.execute(
            select(Upload.id, Upload.storage_key, Upload.content_type, Upload.sha256)
            .where(Upload.id > after)
            .order_by(Upload.id)
            .limit(BATCH)
        ).all()
        db.session.commit()  # hold no transaction while copying (a database target commits)
        if not rows:
            return tally
        for _id, key, content_type, sha256 in rows:
            _copy_photo(source, target, key, content_type, sha256, tally, dry_run)
            # A database source reads in a transaction: end it, so none stays open
            # (on SQLite, holding the write lock) while the next photo travels.
            db.session.commit()
            if progress:
                progress(1)
        after = rows[-1].id


def _copy_photo(source, target, key, content_type, sha256, tally: Tally, dry_run) -> None:
    if _fingerprint(target, key)[1] == sha256:
        tally.present += 1
        return
    try:
        data = source.get(key)
    except KeyError:
        log.warning("uploads migrate: %s is not in the source", key)
        tally.missing.append(key)
        return
    if hashlib.sha256(data).hexdigest() != sha256:
        log.warning("uploads migrate: %s in the source does not match its sha256", key)
        tally.corrupt.append(key)
        return
    _write(target, key, data, content_type, tally, dry_run)


def _copy_file(source, target, key, tally: Tally, dry_run) -> None:
    try:
        data = source.get(key)
    except KeyError:  # loaded (or swept) since it was listed: nothing to move
        tally.gone += 1
        return
    except ValueError:  # not a key we make ("a//b" put in a bucket by hand): named
        log.error("uploads migrate: %r in the source is not a storage key", key)
        tally.failed.append(key)
        return
    if _fingerprint(target, key) == _of(data):
        tally.present += 1
        return
    _write(target, key, data, "application/octet-stream", tally, dry_run)


def _write(target, key, data: bytes, content_type: str, tally: Tally, dry_run) -> None:
    if dry_run:
        tally.copied += 1
        return
    target.put(key, data, content_type)
    if _fingerprint(target, key) != _of(data):
        log.error("uploads migrate: %s read back from the target does not match", key)
        tally.failed.append(key)
        return
    tally.copied += 1


def _of(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def _fingerprint(storage: Storage, key: str) -> tuple[int, str] | tuple[None, None]:
    """(size, sha256) of what `storage` holds under `key`; (None, None) if nothing."""
    try:
        return _of(storage.get(key))
    except KeyError:
        return None, None


def _pages(keys: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(keys)
    while page := list(islice(iterator, BATCH)):
        yield page


def _unrecorded(keys: Iterable[str]) -> Iterator[str]:
    """The keys no Upload row names (photos had their own pass), a page at a time."""
    for page in _pages(keys):
        named = select(Upload.storage_key).where(Upload.storage_key.in_(page))
        photos = set(db.session.scalars(named))
        db.session.commit()
        yield from (key for key in page if key not in photos)
