"""Keeping one open care visit per tagged household, due on its cadence.

`sync_household` is called whenever a household's tags change (in the caller's
transaction), after a visit is recorded, when the committee changes the cadences, and
by the daily job for every tagged household: a household with a visiting tag and no
open visit gets one, due `every_days` after its last recorded visit (or today, if
never visited); a household left with no visiting tag has its open visit cancelled.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, union

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import CareTag, CareVisit, Household, Membership
from server.services.batches import each_locked
from server.services.care.cadence import shortest
from server.services.people.compounds import open_compound_ids


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def lock_household(household_id: int) -> None:
    """Row-lock the household: whoever changes its tags, its open visit or its census
    record at the same moment waits. Reads after it must lock too (MariaDB's plain
    reads see the snapshot taken before the wait)."""
    db.session.execute(select(Household.id).where(Household.id == household_id).with_for_update())


def open_visit(household_id: int, *, lock: bool = False) -> CareVisit | None:
    query = select(CareVisit).where(CareVisit.open_key == household_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def sync_household(household: Household, *, cadence_changed: bool = False) -> CareVisit | None:
    """Make or cancel the household's open visit to match its tags; returns the open
    visit (None if it needs none). A more frequent tag brings the open visit forward;
    with `cadence_changed` (the committee's new cadences) a less frequent one also puts
    it back, to its last visit plus the new cadence. Does not commit."""
    lock_household(household.id)
    tags = db.session.scalars(
        select(CareTag.tag).where(CareTag.household_id == household.id).with_for_update()
    )
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
        elif cadence_changed:
            _put_back(visit, every)
        if visit.assignee_id is None:  # the unit has a liaison again
            visit.assignee_id = unit_liaison(household.unit_id)
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


def _last_visited(household_id: int) -> date | None:
    return db.session.scalar(
        select(CareVisit.visited_on)
        .where(CareVisit.household_id == household_id, CareVisit.status == "done")
        .order_by(CareVisit.visited_on.desc())
        .limit(1)
        .with_for_update()
    )


def _next_due(household_id: int, every: int) -> date:
    last = _last_visited(household_id)
    if last is None:
        return today()
    return max(today(), last + timedelta(days=every))


def _put_back(visit: CareVisit, every: int) -> None:
    """A longer cadence: the visit falls due `every` days after the last one. A visit
    never made before stays where it is (it is owed, whatever the cadence)."""
    last = _last_visited(visit.household_id)
    if last is None or last + timedelta(days=every) <= visit.due_on:
        return
    visit.due_on = max(today(), last + timedelta(days=every))
    visit.escalation_level, visit.escalated_at = 0, None  # no longer missed


def unit_liaison(unit_id: int) -> int | None:
    """The unit's liaison who makes its visits (the first appointed), or None."""
    return db.session.scalar(
        select(Membership.user_id)
        .where(Membership.role == "liaison", Membership.unit_id == unit_id)
        .order_by(Membership.id)
        .limit(1)
    )


def households_to_sync(compound_ids):
    """The ids of the households of `compound_ids` (a subquery or list) that have a
    tag or an open visit: the ones `sync_household` may change."""
    tagged = select(CareTag.household_id).where(CareTag.compound_id.in_(compound_ids))
    visited = select(CareVisit.household_id).where(
        CareVisit.open_key.is_not(None), CareVisit.compound_id.in_(compound_ids)
    )
    return union(tagged, visited).subquery()


def sync_compound(compound_id: int, *, cadence_changed: bool = False) -> None:
    """`sync_household` for every household of the compound that may need it. No commit."""
    ids = households_to_sync([compound_id])
    for household in db.session.scalars(
        select(Household).where(Household.id.in_(select(ids.c[0]))).order_by(Household.id)
    ):
        sync_household(household, cadence_changed=cadence_changed)


def make_visits(batch: int = 5000) -> int:
    """Job (daily): every tagged household of the open compounds has its open visit, and
    an untagged one none. Each household in a transaction of its own. Returns how many."""
    ids = households_to_sync(open_compound_ids())
    return each_locked(
        select(ids.c[0]).order_by(ids.c[0]).limit(batch),
        lambda household_id: db.session.get(Household, household_id),
        lambda household: True,
        sync_household,
    )
