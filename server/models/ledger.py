"""The append-only ledger: every money movement, hash-chained per compound."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

DIRECTIONS = ("credit", "debit")


class LedgerEntry(Base):
    """One money movement. Never updated or deleted: a correction is a new entry.

    `seq` numbers a compound's entries 1, 2, 3...; `hash` covers the entry's fields
    and the previous entry's hash, so changing any past entry breaks the chain.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = table_args(
        UniqueConstraint("compound_id", "seq"),
        Index("ix_ledger_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    seq: Mapped[int] = mapped_column(BigId)
    account: Mapped[str] = mapped_column(String(48))
    direction: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int]
    source_type: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[int] = mapped_column(BigId)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    memo: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """The last entry of a compound's chain; its row lock orders concurrent appends."""

    __tablename__ = "ledger_heads"
    __table_args__ = table_args()

    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigId, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerCheckpoint(Base):
    """A point up to which a compound's chain was verified: entry `seq` had `hash`.

    A check starts from the newest checkpoint whose entry still has that hash and
    recomputes only the entries after it, so the daily check costs the new entries; a
    full pass (`full`) starts from the genesis and may be run at any time.
    """

    __tablename__ = "ledger_checkpoints"
    __table_args__ = table_args(UniqueConstraint("compound_id", "seq"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))
    full: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Each account's balance in fen up to and including entry `seq` ({account: fen}),
    # so the ledger's view sums only the entries after it; NULL on checkpoints written
    # before balances were kept (the view then sums up to the checkpoint once).
    balances: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
