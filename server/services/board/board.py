"""The notice board a member of the compound reads: pinned and recent announcements for
them, the latest published disclosure, every fund's balance, this month's collection
rate, the matters resolved this month and the owners' decisions on notice, voting or
recently closed (for those who may read them). Counts and sums only: never who has not
paid, never a payer's name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.labels import label
from server.models import Announcement, Disclosure, Issue
from server.services.board import announcements
from server.services.decisions import views as decisions
from server.services.money import collection, funds
from server.services.people import compounds
from server.services.people.access import Principal

RECENT = 10


@dataclass(frozen=True)
class Board:
    announcements: list[Announcement]
    read_ids: set[int]
    latest_disclosure: Disclosure | None
    funds: list[funds.Fund]
    collection_rate: dict
    resolved_this_month: list[dict]
    proposals: list[dict]


def read(principal: Principal, code: str) -> Board:
    """The board for a member of the compound. Raises NotFound (not theirs)."""
    compound = compounds.member_compound(principal, code)
    now = utcnow()
    month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    shown = _announcements(principal, compound.id)
    return Board(
        announcements=shown,
        read_ids=announcements.read_ids(principal, shown),
        latest_disclosure=db.session.scalars(
            select(Disclosure)
            .where(Disclosure.compound_id == compound.id, Disclosure.status == "published")
            .order_by(Disclosure.published_at.desc(), Disclosure.id.desc())
            .limit(1)
        ).first(),
        funds=funds.balances(compound.id, now=now),
        collection_rate={"month": month, **collection.compound_rate(compound.id, month)},
        resolved_this_month=_resolved(compound.id, funds.month_start(now)),
        proposals=decisions.board_items(principal, compound.id),
    )


def _announcements(principal: Principal, compound_id: int) -> list[Announcement]:
    """Pinned ones first (urgent first among them), then the most recent."""
    condition = announcements.visible(principal, compound_id)
    now = utcnow()
    pinned = list(
        db.session.scalars(
            select(Announcement)
            .where(condition, Announcement.pinned_until > now)
            .order_by(Announcement.urgent.desc(), Announcement.id.desc())
            .limit(RECENT)
        )
    )
    recent = db.session.scalars(
        select(Announcement)
        .where(condition, Announcement.id.not_in([a.id for a in pinned] or [0]))
        .order_by(Announcement.id.desc())
        .limit(RECENT)
    )
    return pinned + list(recent)


def _resolved(compound_id: int, since) -> list[dict]:
    """Issues resolved since the 1st (and not reopened since), by category."""
    rows = db.session.execute(
        select(Issue.category, func.count())
        .where(
            Issue.compound_id == compound_id,
            Issue.status.in_(("resolved", "closed")),
            Issue.resolved_at >= since,
        )
        .group_by(Issue.category)
        .order_by(Issue.category)
    ).all()
    return [
        {"category": category, "category_label": label("issue_category", category), "count": n}
        for category, n in rows
    ]
