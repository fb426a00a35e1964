"""Owners' decisions (Civil Code art. 278): a proposal drafted by the committee, put on
public notice with comments, voted on by the owners (in the app or on paper recorded by
a volunteer) and closed with its result counted exactly.

The vote roll is frozen when voting opens: every flat of the compound with its floor
area and its owner group (one buyer of several flats is one head; their areas all
count). A flat has at most one counted ballot (`counted_key`); a changed vote replaces it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, Fixed, UTCDateTime, table_args

PROPOSAL_STATUSES = ("draft", "notice", "voting", "closed", "withdrawn")
# The article's nine matters; 6–8 need three quarters, the others more than half.
MATTERS = tuple(range(1, 10))
THREE_QUARTERS_MATTERS = frozenset({6, 7, 8})
# What a passed proposal changes (besides what it says in words).
EFFECT_KINDS = ("none", "fee_rate", "expense")
BALLOT_CHANNELS = ("app", "paper", "proxy")
# pending: a paper ballot waiting for a second volunteer; counted; replaced (by a later
# ballot of the same flat); rejected (a paper ballot the second volunteer refused).
BALLOT_STATUSES = ("pending", "counted", "replaced", "rejected")
DEFAULT_OPTIONS = (
    {"choice": "yes", "label": "同意"},
    {"choice": "no", "label": "反对"},
    {"choice": "abstain", "label": "弃权"},
)


class Proposal(Base):
    """One matter for the owners. `version` is the current text's number (every version
    is kept in `proposal_versions`); the result's figures are stored when it closes."""

    __tablename__ = "proposals"
    __table_args__ = table_args(
        Index("ix_proposals_compound_status", "compound_id", "status"),
        Index("ix_proposals_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    matter: Mapped[int]
    # [{"choice": "yes", "label": "同意"}, ...]; candidates for an election.
    options: Mapped[list] = mapped_column(JSON)
    # {"kind": "fee_rate", "item": "self_governance", "rate": "0.40", "from_period": "2027-01"}
    # or {"kind": "expense", "expense_id": 12}; None: nothing but the words.
    effect: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the job
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
    # The roll frozen when voting opened.
    eligible_area_m2: Mapped[Decimal | None] = mapped_column(Fixed(14, 2))
    eligible_heads: Mapped[int | None]
    # The count at closing: participating area/heads, each option's, the checks.
    result: Mapped[dict | None] = mapped_column(JSON)
    passed: Mapped[bool | None]
    # What passing changed, once applied ("已提交收费标准调整，待第二人确认" ...).
    effect_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effect_note: Mapped[str | None] = mapped_column(String(200))


class ProposalVersion(Base):
    """The text of one version: the draft is 1, every revision during notice adds one."""

    __tablename__ = "proposal_versions"
    __table_args__ = table_args(UniqueConstraint("proposal_id", "version"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    effect: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))  # what this revision changed
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalComment(Base):
    """An owner's comment on one version (it stays with the version it was made on)."""

    __tablename__ = "proposal_comments"
    __table_args__ = table_args(Index("ix_proposal_comments_proposal", "proposal_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    version: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The flat the author commented as (shown as "3-2 单元业主", never the room).
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    # The committee answering: role shown instead of a flat.
    as_committee: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RollEntry(Base):
    """One flat on a proposal's vote roll, frozen when voting opened. `owner_group` is
    the smallest household id among the flats of the same owner: one head per group."""

    __tablename__ = "vote_roll"
    __table_args__ = table_args(
        UniqueConstraint("proposal_id", "household_id"),
        Index("ix_vote_roll_proposal_unit", "proposal_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    area_m2: Mapped[Decimal] = mapped_column(Fixed(10, 2))
    owner_group: Mapped[int] = mapped_column(BigId)


class Ballot(Base):
    """One ballot for one flat. App ballots count at once; a paper ballot (or a written
    proxy) recorded by the unit's liaison with a photo counts once another volunteer
    confirms it. `counted_key` ("<proposal>:<household>") is set only on the flat's
    counted ballot, so a flat never has two. `receipt` is the random code the voter
    (and, for paper, the flat's owners in the app) finds in the published list."""

    __tablename__ = "ballots"
    __table_args__ = table_args(
        Index("ix_ballots_proposal_status", "proposal_id", "status"),
        Index("ix_ballots_proposal_household", "proposal_id", "household_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    choice: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8), default="app")
    status: Mapped[str] = mapped_column(String(16), default="counted")
    counted_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    receipt: Mapped[str | None] = mapped_column(String(16), unique=True)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it became the flat's counted ballot (the head of an owner of several flats
    # follows their latest counted ballot).
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
