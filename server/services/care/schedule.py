"""Keeping one open care visit per tagged household, due on its cadence.

`sync_household` is called whenever a household's tags change (in the caller's
transaction) and by the daily job for every tagged household: a household with a
visiting tag and no open visit gets one, due `every_days` after its last recorded
visit (or today, if never visited); a household left with no visiting tag has its open
visit cancelled.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import CareTag, CareVisit, Household, Membership
from server.services.care.cadence import shortest


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def open_visit(household_id: int, *, lock: bool = False) -> CareVisit | None:
    query = select(CareVisit).where(CareVisit.open_key == household_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def sync_household(household: Household) -> CareVisit | None:
    """Make or cancel the household's open visit to match its tags; returns the open
    visit (None if it needs none). Does not commit."""
    tags = db.session.scalars(select(CareTag.tag).where(CareTag.household_id == household.id))
    cadence = shortest(household.compound_id, list(tags))
    visit = open_visit(household.id, lock=True)
    if cadence is None:
        if visit is not None:
            visit.status, visit.open_key = "cancelled", None
        return None
    tag, every = cadence
    due = _next_due(household.id, every)
    if visit is not None:
        visit.tag = tag
        if due < visit.due_on:  # a more frequent tag brings the visit forward
            visit.due_on = due
        return visit
    visit = CareVisit(
        compound_id=household.compound_id,
        building_id=household.building_id,
        unit_id=household.unit_id,
        household_id=household.id,
        open_key=household.id,
        tag=tag,
        due_on=due,
        assignee_id=unit_liaison(household.unit_id),
        status="due",
        created_at=utcnow(),
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def _next_due(household_id: int, every: int) -> date:
    last = db.session.scalar(
        select(CareVisit.visited_on)
        .where(CareVisit.household_id == household_id, CareVisit.status == "done")
        .order_by(CareVisit.visited_on.desc())
        .limit(1)
    )
    if last is None:
        return today()
    return max(today(), last + timedelta(days=every))


def unit_liaison(unit_id: int) -> int | None:
    """The unit's liaison who makes its visits (the first appointed), or None."""
    return db.session.scalar(
        select(Membership.user_id)
        .where(Membership.role == "liaison", Membership.unit_id == unit_id)
        .order_by(Membership.id)
        .limit(1)
    )
