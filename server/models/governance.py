"""Opening a compound and appointing its people: roster imports, role invites,
liaison handovers and the compound's audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, Fixed, UTCDateTime, table_args

# Roles a role invite can appoint (resident binding has its own door invites).
INVITE_ROLES = ("committee", "liaison", "building_lead", "supervisor")

# What the audit log records.
AUDIT_ACTIONS = (
    "compound_opened",
    "invite_created",
    "invite_revoked",
    "appointed",
    "revoked",
    "term_set",
    "handover",
    "roster_imported",
    "roster_change_confirmed",
    "roster_change_rejected",
    "console_signed_in",
    "console_signed_out_everywhere",
    "pay_merchant_changed",
)


class RosterImport(Base):
    """One applied roster file: who loaded it, when, and what it did (counts)."""

    __tablename__ = "roster_imports"
    __table_args__ = table_args(Index("ix_roster_imports_compound", "compound_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    # {"buildings": {"create": n}, "units": {...}, "households": {"create", "update",
    #  "unchanged", "missing"}, "pending_changes": n}
    counts: Mapped[dict] = mapped_column(JSON)


class HouseholdChange(Base):
    """A flat's floor area or occupancy as changed by a confirmed roster re-import:
    who proposed, who confirmed, old and new, and the first bill period it affects."""

    __tablename__ = "household_changes"
    __table_args__ = table_args(Index("ix_household_changes_household", "household_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("roster_imports.id"))
    old_area_m2: Mapped[Decimal | None] = mapped_column(Fixed(10, 2))
    new_area_m2: Mapped[Decimal | None] = mapped_column(Fixed(10, 2))
    old_occupancy: Mapped[str | None] = mapped_column(String(16))
    new_occupancy: Mapped[str | None] = mapped_column(String(16))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effective_period: Mapped[str | None] = mapped_column(String(7))


class RoleInvite(Base):
    """A one-time code that appoints whoever redeems it to a role over a scope.
    Only an HMAC of the code is stored."""

    __tablename__ = "role_invites"
    __table_args__ = table_args(Index("ix_role_invites_compound", "compound_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    role: Mapped[str] = mapped_column(String(20))
    scope_key: Mapped[str] = mapped_column(String(40))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Whom the inviter means (a name the people list shows until they redeem).
    name: Mapped[str | None] = mapped_column(String(32))
    term_end: Mapped[date | None] = mapped_column(Date)  # a committee term's last day
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Handover(Base):
    """A liaison's unit moved to a successor, and what moved with it (ids per kind)."""

    __tablename__ = "handovers"
    __table_args__ = table_args(Index("ix_handovers_compound", "compound_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"issues": [ids], "return_visits": [ids], "binding_requests": n, "unpaid_households": n}
    moved: Mapped[dict] = mapped_column(JSON)


class AuditEvent(Base):
    """One appointment, revocation, handover or roster change in a compound, in Chinese
    as the committee and the supervisor read it."""

    __tablename__ = "audit_events"
    __table_args__ = table_args(Index("ix_audit_events_compound", "compound_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    scope_key: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
