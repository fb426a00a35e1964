"""Infrastructure tables: shared key-value store, scheduler lease and job runs, access log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args


class KeyValue(Base):
    """Values shared by every process (the WeChat access token), with an expiry."""

    __tablename__ = "kv_store"
    __table_args__ = table_args()

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulerLease(Base):
    """Who may run scheduled jobs, until when. One row per lease name."""

    __tablename__ = "scheduler_leases"
    __table_args__ = table_args()

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(Base):
    """One claimed fire time of a job: the unique key makes each fire time run once."""

    __tablename__ = "job_runs"
    __table_args__ = table_args(UniqueConstraint("job_name", "fire_time"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(64))
    fire_time: Mapped[datetime] = mapped_column(UTCDateTime)
    holder: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    error: Mapped[str | None] = mapped_column(Text)


class AccessLog(Base):
    """Who saw or changed whose personal data, and why."""

    __tablename__ = "access_logs"
    __table_args__ = table_args(Index("ix_access_logs_subject", "subject_type", "subject_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The flat whose record was read (a resident sees who viewed it), and why.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(100))
