"""Keeping one open care visit per tagged household, due on its cadence.

`sync_household` is called whenever a household's tags change (in the caller's
transaction), after a visit is recorded, when the committee changes the cadences, and
by the daily job for every tagged household: a household with a visiting tag and no
open visit gets one, due `every_days` after its last recorded visit (or today, if
never visited); a household left with no visiting tag has its open visit cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select, union

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import CareTag, CareVisit, Household, Membership
from server.services.batches import each_locked
from server.services.care.cadence import cadences, shortest, shortest_of
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
    visit = _sync(
        household,
        shortest(household.compound_id, list(tags)),
        open_visit(household.id, lock=True),
        _last_visited(household.id),
        lambda: unit_liaison(household.unit_id),
        cadence_changed,
    )
    db.session.flush()
    return visit


def _sync(
    household: Household,
    cadence: tuple[str, int] | None,
    visit: CareVisit | None,
    last: date | None,
    liaison: Callable[[], int | None],
    cadence_changed: bool,
) -> CareVisit | None:
    """`sync_household` once what it needs is read: the shortest cadence of the tags,
    the open visit (locked), the last visit made, the unit's liaison (asked if needed)."""
    if cadence is None:
        if visit is not None:
            visit.status, visit.open_key = "cancelled", None
        return None
    tag, every = cadence
    due = today() if last is None else max(today(), last + timedelta(days=every))
    if visit is not None:
        visit.tag = tag
        if due < visit.due_on:  # a more frequent tag brings the visit forward
            visit.due_on = due
        elif cadence_changed:
            _put_back(visit, every, last)
        if visit.assignee_id is None:  # the unit has a liaison again
            visit.assignee_id = liaison()
        return visit
    visit = CareVisit(
        compound_id=household.compound_id,
        building_id=household.building_id,
        unit_id=household.unit_id,
        household_id=household.id,
        open_key=household.id,
        tag=tag,
        due_on=due,
        assignee_id=liaison(),
        status="due",
        created_at=utcnow(),
    )
    db.session.add(visit)
    return visit


def _last_visited(household_id: int) -> date | None:
    return db.session.scalar(
        select(CareVisit.visited_on)
        .where(CareVisit.household_id == household_id, CareVisit.status == "done")
        .order_by(CareVisit.visited_on.desc())
        .limit(1)
        .with_for_update()
    )


def _put_back(visit: CareVisit, every: int, last: date | None) -> None:
    """A longer cadence: the visit falls due `every` days after the last one. A visit
    never made before stays where it is (it is owed, whatever the cadence)."""
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
    """`sync_household` for every household of the compound that may need it, in a
    handful of queries however many there are (the households locked in id order, as
    one at a time would be). No commit."""
    ids = households_to_sync([compound_id])
    households = list(
        db.session.scalars(
            select(Household)
            .where(Household.id.in_(select(ids.c[0])))
            .order_by(Household.id)
            .with_for_update()
        )
    )
    if not households:
        return
    tags = defaultdict(list)
    for household_id, tag in db.session.execute(
        select(CareTag.household_id, CareTag.tag)
        .where(CareTag.compound_id == compound_id)
        .with_for_update()
    ):
        tags[household_id].append(tag)
    visits = {
        visit.open_key: visit
        for visit in db.session.scalars(
            select(CareVisit)
            .where(CareVisit.compound_id == compound_id, CareVisit.open_key.is_not(None))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    last = dict(
        db.session.execute(
            select(CareVisit.household_id, func.max(CareVisit.visited_on))
            .where(CareVisit.compound_id == compound_id, CareVisit.status == "done")
            .group_by(CareVisit.household_id)
        ).all()
    )
    liaisons: dict[int, int] = {}
    for unit_id, user_id in db.session.execute(
        select(Membership.unit_id, Membership.user_id)
        .where(Membership.role == "liaison", Membership.compound_id == compound_id)
        .order_by(Membership.id)
    ):
        liaisons.setdefault(unit_id, user_id)
    days = cadences(compound_id)
    for household in households:
        _sync(
            household,
            shortest_of(days, tags[household.id]),
            visits.get(household.id),
            last.get(household.id),
            lambda unit_id=household.unit_id: liaisons.get(unit_id),
            cadence_changed,
        )
    db.session.flush()


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
