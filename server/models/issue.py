"""Issues (报事): what residents report, its timeline, deadlines and return visits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

CATEGORIES = ("repair", "hazard", "dispute", "care", "suggestion", "other")
STATUSES = ("submitted", "accepted", "referred", "resolved", "closed", "rejected", "duplicate")
OPEN_STATUSES = ("submitted", "accepted", "referred")
TRACKS = ("onsite", "referral")


class Issue(Base):
    """One matter reported in a compound, where it is, and how far it has got.

    `reporter_id` is the resident who reported it (None when a liaison filed it for
    someone who does not use WeChat); `filed_by_id` is whoever pressed submit.
    `last_event_id` lets a list show each issue's latest timeline entry in one query.
    """

    __tablename__ = "issues"
    __table_args__ = table_args(
        Index("ix_issues_compound_status", "compound_id", "status"),
        Index("ix_issues_compound_list", "compound_id", "id"),  # a compound's, newest first
        Index("ix_issues_compound_created", "compound_id", "created_at"),  # a month's
        Index("ix_issues_unit_status", "unit_id", "status"),
        Index("ix_issues_building_status", "building_id", "status"),
        Index("ix_issues_status_resolved", "status", "resolved_at"),  # the auto-close job
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    show_name: Mapped[bool] = mapped_column(default=False)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    on_behalf_name: Mapped[str | None] = mapped_column(String(32))

    track: Mapped[str | None] = mapped_column(String(16))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referral_body: Mapped[str | None] = mapped_column(String(60))
    referral_contact: Mapped[str | None] = mapped_column(String(60))
    referral_ref: Mapped[str | None] = mapped_column(String(60))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[int | None]
    feedback: Mapped[str | None] = mapped_column(String(500))
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    escalation_level: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)

    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_id: Mapped[int | None] = mapped_column(BigId)

    events: Mapped[list[IssueEvent]] = relationship(
        back_populates="issue", order_by="IssueEvent.id", cascade="all, delete-orphan"
    )

    @property
    def location_scope(self) -> str:
        if self.household_id:
            return "household"
        if self.unit_id:
            return "unit"
        if self.building_id:
            return "building"
        return "compound"

    def is_overdue(self, now: datetime) -> bool:
        if self.status == "submitted":
            return now > self.response_due_at
        if self.status in ("accepted", "referred"):
            return now > self.resolution_due_at
        return False


class IssueEvent(Base):
    """One line of an issue's timeline: who did what, when, with a note and photos."""

    __tablename__ = "issue_events"
    __table_args__ = table_args(
        Index("ix_issue_events_compound_created", "compound_id", "created_at"),  # a month's
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issue: Mapped[Issue] = relationship(back_populates="events")


class CategoryPolicy(Base):
    """A compound's deadlines for one category: accept within N hours, resolve within M days."""

    __tablename__ = "category_policies"
    __table_args__ = table_args(UniqueConstraint("compound_id", "category"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    category: Mapped[str] = mapped_column(String(16))
    accept_hours: Mapped[int]
    resolve_days: Mapped[int]


class ReturnVisit(Base):
    """ "Is it still fixed?", asked some days after an issue closed.

    `kind` "message" asks the reporter in the app; "in_person" is a visit the unit's
    liaison makes (care issues, and people who do not use WeChat).
    """

    __tablename__ = "return_visits"
    __table_args__ = table_args(
        UniqueConstraint("issue_id", "round"),
        Index("ix_return_visits_status_due", "status", "due_at"),
        Index("ix_return_visits_compound_answered", "compound_id", "answered_at"),  # a month's
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    round: Mapped[int] = mapped_column(default=1)  # the issue's closing count
    kind: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    answer: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issue: Mapped[Issue] = relationship()
