"""Photos in the database (`stored_blobs`): every app host reaches them without an
object store. For a small installation; past a few GB, use an S3-compatible store."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete, select, update

from server.extensions import db
from server.models.upload import StoredBlob
from server.storage.keys import check_key

KEYS_PAGE = 500


class DatabaseStorage:
    """Bytes by key in the `stored_blobs` table, through the app's session.

    Like a file written to disk, bytes are stored when `put` returns: `put` and `delete`
    commit the session. Call them before a use case's own changes (as every caller
    does: the photo is stored, then its Upload row is added and committed), never in
    the middle of them.
    """

    def __repr__(self) -> str:
        return "<DatabaseStorage stored_blobs>"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        session = db.session
        replaced = session.execute(
            update(StoredBlob)
            .where(StoredBlob.key == key)
            .values(data=data, content_type=content_type)
        ).rowcount
        if not replaced:
            session.add(StoredBlob(key=key, data=data, content_type=content_type))
        session.commit()

    def get(self, key: str) -> bytes:
        data = db.session.scalar(select(StoredBlob.data).where(StoredBlob.key == check_key(key)))
        if data is None:
            raise KeyError(key)
        return bytes(data)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key stored under `prefix`, in order, read a page at a time."""
        after = ""
        while True:
            page = db.session.scalars(
                select(StoredBlob.key)
                .where(StoredBlob.key.startswith(prefix, autoescape=True), StoredBlob.key > after)
                .order_by(StoredBlob.key)
                .limit(KEYS_PAGE)
            ).all()
            db.session.commit()  # no transaction held between pages
            yield from page
            if len(page) < KEYS_PAGE:
                return
            after = page[-1]

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredBlob).where(StoredBlob.key == check_key(key)))
        db.session.commit()
