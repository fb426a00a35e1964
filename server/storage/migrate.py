"""Copy every upload's bytes from one storage to another, checked by their sha256.

Idempotent and resumable: a photo already in the target with the right bytes is
skipped, so a run stopped halfway is simply run again. The source is left as it was
(switch STORAGE_BACKEND once a run reports no problem; keep the old copy as a backup).

Only photos (`Upload` rows) are moved: they are the store's only lasting files. A roster
file checked on the desk waits in the store under desk-roster/ just until its 确认导入
in the same desk session; it is not moved (the command's help says why).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from server.extensions import db
from server.models import Upload
from server.storage import Storage

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class Migration:
    """What a run did, photo by photo counted once."""

    copied: int = 0  # written to the target and read back intact (dry run: would be)
    present: int = 0  # already in the target with the right bytes
    missing: list[str] = field(default_factory=list)  # keys the source does not have
    corrupt: list[str] = field(default_factory=list)  # source bytes not matching sha256
    failed: list[str] = field(default_factory=list)  # read back from the target wrong

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.corrupt) + len(self.failed)

    @property
    def seen(self) -> int:
        return self.copied + self.present + self.problems


def migrate_uploads(
    source: Storage,
    target: Storage,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Migration:
    """Copy every Upload's bytes from `source` to `target` in id order, verifying
    each against Upload.sha256 before writing and after reading it back.
    Raises StorageUnavailable when either store cannot be reached (run it again)."""
    result, after = Migration(), 0
    while True:
        rows = db.session.execute(
            select(Upload.id, Upload.storage_key, Upload.content_type, Upload.sha256)
            .where(Upload.id > after)
            .order_by(Upload.id)
            .limit(BATCH)
        ).all()
        db.session.commit()  # hold no transaction while copying (a database target commits)
        if not rows:
            return result
        for _id, key, content_type, sha256 in rows:
            _copy_one(source, target, key, content_type, sha256, result, dry_run)
            # A database source reads in a transaction: end it, so none stays open
            # (on SQLite, holding the write lock) while the next photo travels.
            db.session.commit()
            if progress:
                progress(1)
        after = rows[-1].id


def _copy_one(source, target, key, content_type, sha256, result: Migration, dry_run) -> None:
    if _digest(target, key) == sha256:
        result.present += 1
        return
    try:
        data = source.get(key)
    except KeyError:
        log.warning("uploads migrate: %s is not in the source", key)
        result.missing.append(key)
        return
    if hashlib.sha256(data).hexdigest() != sha256:
        log.warning("uploads migrate: %s in the source does not match its sha256", key)
        result.corrupt.append(key)
        return
    if dry_run:
        result.copied += 1
        return
    target.put(key, data, content_type)
    if _digest(target, key) != sha256:
        log.error("uploads migrate: %s read back from the target does not match", key)
        result.failed.append(key)
        return
    result.copied += 1


def _digest(storage: Storage, key: str) -> str | None:
    try:
        return hashlib.sha256(storage.get(key)).hexdigest()
    except KeyError:
        return None
