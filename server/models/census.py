"""The census (清单): who lives in each flat, the care they need, and the consent given.

The most sensitive data Linli holds. Phones are stored encrypted (`phone_cipher`,
AES-GCM under PERSONAL_DATA_KEY) with a masked copy for display and a keyed hash to
find duplicates; who may read what is `server.services.census.access`, and every such
read is written to `access_logs`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

MEMBER_RELATIONS = ("owner", "tenant", "family")
AGE_BANDS = ("under_18", "18_59", "60_69", "70_79", "80_plus")
# Where the household lives (not the billing occupancy, which only a two-person change
# moves): lives here, lives elsewhere for now, nobody lives there.
RESIDENCES = ("lives_here", "away", "vacant")
CARE_TAGS = ("elderly_alone", "disability", "hardship", "needs_visits", "party_centre")
# Tags whose every read is logged and which only the unit's liaison, the building lead
# and the committee (and the household itself) ever see.
SENSITIVE_TAGS = ("elderly_alone", "disability", "hardship", "needs_visits")
CONSENT_KINDS = ("binding", "census")
VISIT_STATUSES = ("due", "done", "cancelled")
VISIT_METHODS = ("visit", "phone")
VISIT_HOWS = ("good", "fair", "poor")
# What the access log records about census reads (`access_logs.action`).
ACCESS_ACTIONS = (
    "view_phone",
    "view_tags",
    "export_census",
    "download",
    "erase",
    "view_visits",
    "export_access_log",
)


class HouseholdMember(Base):
    """A person living in (or belonging to) a flat, as the census knows them."""

    __tablename__ = "household_members"
    __table_args__ = table_args(Index("ix_household_members_phone_hash", "phone_hash"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    # None once anonymised.
    name: Mapped[str | None] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    phone_cipher: Mapped[str | None] = mapped_column(String(200))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    uses_wechat: Mapped[bool] = mapped_column(default=False)
    # The account of this person, where they bound the flat in the app.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(16), default="liaison")  # liaison|household|import
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moved_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HouseholdCensus(Base):
    """A flat's census record: where it lives and when it was last confirmed."""

    __tablename__ = "household_census"
    __table_args__ = table_args(UniqueConstraint("household_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    residence: Mapped[str] = mapped_column(String(16), default="lives_here")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The household moved out (sold, left): its members' data are anonymised after
    # the compound's retention.
    moved_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time a household moved out: what came before (visits, sweep results,
    # views of the record, consents) was the previous household's, not shown to this one.
    history_from: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CareTag(Base):
    """A care need of a flat (独居老人, 残疾, 困难, 需定期走访) or its role (党员中心户)."""

    __tablename__ = "care_tags"
    __table_args__ = table_args(UniqueConstraint("household_id", "tag"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    tag: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareCadence(Base):
    """How often a tagged household is visited in one compound (days); defaults in
    `server.services.care.cadence`."""

    __tablename__ = "care_cadences"
    __table_args__ = table_args(UniqueConstraint("compound_id", "tag"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    tag: Mapped[str] = mapped_column(String(16))
    every_days: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareVisit(Base):
    """One care visit (关爱走访) due at a household: a task of the unit's liaison until
    recorded; missed, it escalates to the building lead (1), then the committee (2).

    `open_key` is the household id while the visit is open, NULL after: one open visit
    per household (MySQL lets NULLs repeat in a unique key).
    """

    __tablename__ = "care_visits"
    __table_args__ = table_args(
        UniqueConstraint("open_key"), Index("ix_care_visits_due", "status", "due_on")
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    open_key: Mapped[int | None] = mapped_column(BigId)
    tag: Mapped[str] = mapped_column(String(16))  # the tag whose cadence made it
    due_on: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="due")  # VISIT_STATUSES
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str | None] = mapped_column(String(8))  # visit|phone
    how: Mapped[str | None] = mapped_column(String(8))  # good|fair|poor
    concern: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    visited_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentRecord(Base):
    """Consent to a versioned notice (what is collected, why, who sees it): given in
    the app by the person, or on the doorstep and recorded by the volunteer."""

    __tablename__ = "consent_records"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_members.id"))
    kind: Mapped[str] = mapped_column(String(16))  # binding|census
    version: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))  # app|doorstep
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
