"""Photos residents upload: stored bytes live in the storage, their facts here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args


class Upload(Base):
    """One photo after it was checked and re-encoded.

    `storage_key` is random (never the client's file name); `sha256`, `size_bytes`,
    `width` and `height` describe the stored, re-encoded bytes, not what was sent.
    """

    __tablename__ = "uploads"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Set when the photo is attached to an issue (at reporting or with a later action).
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("issue_events.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.content_type} {self.width}x{self.height}>"


class StoredBlob(Base):
    """Uploaded bytes kept in the database: the storage backend of a small installation
    with several app hosts and no object store (STORAGE_BACKEND=database)."""

    __tablename__ = "stored_blobs"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(
        LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
