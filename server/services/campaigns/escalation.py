"""Overdue sweeps raise their late units (a daily job, 09:00 Shanghai): a unit of an
open sweep past its due day with households not yet visited is pushed to its building
lead(s) once (`CampaignUnit.escalated_at`), to the committee when the building has no
lead. Archived compounds are left alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import Membership
from server.models.campaigns import Campaign, CampaignUnit
from server.services.campaigns import access, messages, progress
from server.services.messaging import notify
from server.services.people.compounds import open_compound_ids


def escalate_overdue_campaigns(now: datetime | None = None) -> int:
    """Push the building leads (or the committee) of late units; returns how many units
    were escalated. Each unit is escalated once."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date()
    candidates = db.session.execute(
        select(CampaignUnit, Campaign)
        .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
        .where(
            Campaign.status == "open",
            Campaign.due_on < today,
            CampaignUnit.escalated_at.is_(None),
            Campaign.compound_id.in_(open_compound_ids()),
        )
        .order_by(Campaign.id, CampaignUnit.building_id, CampaignUnit.id)
    ).all()
    late: dict[tuple[int, int], list] = {}
    labels = access.unit_labels(u.unit_id for u, _c in candidates)
    totals = progress.household_counts({u.unit_id for u, _c in candidates})
    done = progress.visited_counts({c.id for _u, c in candidates})
    for unit, campaign in candidates:
        visited, total = done.get((campaign.id, unit.unit_id), 0), totals.get(unit.unit_id, 0)
        if visited < total:
            late.setdefault((campaign.id, unit.building_id), []).append(
                (unit, campaign, (labels[unit.unit_id], visited, total))
            )
    for group in late.values():
        _escalate(group, now)
    db.session.commit()
    return sum(len(group) for group in late.values())


def _escalate(group: list, now: datetime) -> None:
    first, campaign = group[0][0], group[0][1]
    leads = list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.role == "building_lead", Membership.building_id == first.building_id
            )
        )
    )
    people = leads or notify.compound_members(campaign.compound_id, "committee")
    # Each unit is escalated once, so the group's first unit names this push alone.
    notify.deliver(
        messages.overdue(campaign, [shown for _u, _c, shown in group], now),
        people,
        notify.Occasion(f"campesc{first.id}", campaign.compound_id),
        volunteers=True,
    )
    for unit, _campaign, _shown in group:
        unit.escalated_at = now
