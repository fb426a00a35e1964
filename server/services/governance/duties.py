"""What a volunteer is personally pointed at in a unit, and moving it on: the open
issues they handle, the in-person return visits and the care visits they are to make.

Binding reviews and the unpaid list are the unit's, not a person's: whoever holds the
unit's liaison role sees them, so they follow the role without moving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from server.extensions import db
from server.models import (
    Bill,
    BindingRequest,
    CareVisit,
    Household,
    Issue,
    Membership,
    ReturnVisit,
)
from server.models.issue import OPEN_STATUSES

OPEN_VISITS = ("scheduled", "sent")


@dataclass
class Moved:
    issues: list[int] = field(default_factory=list)
    return_visits: list[int] = field(default_factory=list)
    care_visits: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class UnitWork:
    """What follows a unit's liaison role without moving: binding requests waiting for
    review and households with unpaid bills."""

    binding_requests: int
    unpaid_households: int


def unit_work(unit_id: int) -> UnitWork:
    """The unit's pending binding requests and the households with an unpaid bill."""
    pending = db.session.scalar(
        select(func.count())
        .select_from(BindingRequest)
        .join(Household, Household.id == BindingRequest.household_id)
        .where(Household.unit_id == unit_id, BindingRequest.status == "pending")
    )
    unpaid = db.session.scalar(
        select(func.count(func.distinct(Bill.household_id)))
        .join(Household, Household.id == Bill.household_id)
        .where(Household.unit_id == unit_id, Bill.status == "unpaid")
    )
    return UnitWork(pending or 0, unpaid or 0)


def held_in_unit(user_id: int, unit_id: int) -> Moved:
    """The open issues of the unit this person handles, the in-person return visits of
    the unit's issues and the unit's open care visits assigned to them, oldest first."""
    issues, visits = _held(user_id, Issue.unit_id == unit_id)
    care = _care_held(user_id, CareVisit.unit_id == unit_id)
    return Moved([row.id for row in issues], [row.id for row in visits], [row.id for row in care])


def _care_held(user_id: int, *where) -> list:
    """(id, building_id, unit_id) of the open care visits assigned to the person that
    `where` picks, oldest first."""
    return db.session.execute(
        select(CareVisit.id, CareVisit.building_id, CareVisit.unit_id)
        .where(CareVisit.assignee_id == user_id, CareVisit.status == "due", *where)
        .order_by(CareVisit.id)
    ).all()


def _held(user_id: int, *where) -> tuple[list, list]:
    """(id, building_id, unit_id) of the open issues the person handles and of the
    in-person return visits assigned to them, of the issues `where` picks, oldest first."""
    issues = db.session.execute(
        select(Issue.id, Issue.building_id, Issue.unit_id)
        .where(Issue.handler_id == user_id, Issue.status.in_(OPEN_STATUSES), *where)
        .order_by(Issue.id)
    ).all()
    visits = db.session.execute(
        select(ReturnVisit.id, Issue.building_id, Issue.unit_id)
        .join(Issue, Issue.id == ReturnVisit.issue_id)
        .where(
            ReturnVisit.kind == "in_person",
            ReturnVisit.assignee_id == user_id,
            ReturnVisit.status.in_(OPEN_VISITS),
            *where,
        )
        .order_by(ReturnVisit.id)
    ).all()
    return issues, visits


def move(user_id: int, unit_id: int, to_user_id: int | None) -> Moved:
    """Point the person's open issues, in-person visits and care visits of a unit at
    `to_user_id`.

    None (a revocation without a successor) leaves the issues without a handler, so
    their news goes to whoever holds the unit's liaison role, and gives the visits to
    another liaison of the unit, else to nobody (the committee's list shows them).
    No commit.
    """
    moved = held_in_unit(user_id, unit_id)
    if moved.issues:
        db.session.execute(
            update(Issue).where(Issue.id.in_(moved.issues)).values(handler_id=to_user_id)
        )
    visitor = to_user_id if to_user_id is not None else _other_liaison(unit_id, user_id)
    if moved.return_visits:
        db.session.execute(
            update(ReturnVisit)
            .where(ReturnVisit.id.in_(moved.return_visits))
            .values(assignee_id=visitor)
        )
    if moved.care_visits:
        db.session.execute(
            update(CareVisit).where(CareVisit.id.in_(moved.care_visits)).values(assignee_id=visitor)
        )
    return moved


HANDLING_ROLES = ("liaison", "building_lead", "committee")


def release(user_id: int, compound_id: int) -> Moved:
    """After a role is taken away: the open issues of the compound the person handles and
    the in-person and care visits they are to make, wherever no role they still hold lets them
    handle the unit, go back as `move` gives them back (issues to no handler, so the
    unit's liaisons hear their news; visits to another liaison of the unit). A committee
    member or building lead who accepted an issue is pointed at it too. No commit."""
    held = db.session.execute(
        select(Membership.role, Membership.building_id, Membership.unit_id).where(
            Membership.user_id == user_id,
            Membership.compound_id == compound_id,
            Membership.role.in_(HANDLING_ROLES),
        )
    ).all()
    if any(role == "committee" for role, _, _ in held):
        return Moved()
    units = {unit for role, _, unit in held if role == "liaison"}
    buildings = {building for role, building, _ in held if role == "building_lead"}

    def still_handles(building_id: int | None, unit_id: int | None) -> bool:
        return unit_id in units or building_id in buildings

    held_issues, held_visits = _held(user_id, Issue.compound_id == compound_id)
    issues = [row.id for row in held_issues if not still_handles(row.building_id, row.unit_id)]
    if issues:
        db.session.execute(update(Issue).where(Issue.id.in_(issues)).values(handler_id=None))
    visits = []
    for row in held_visits:
        if still_handles(row.building_id, row.unit_id):
            continue
        visitor = _other_liaison(row.unit_id, user_id) if row.unit_id is not None else None
        db.session.execute(
            update(ReturnVisit).where(ReturnVisit.id == row.id).values(assignee_id=visitor)
        )
        visits.append(row.id)
    care = []
    for row in _care_held(user_id, CareVisit.compound_id == compound_id):
        if still_handles(row.building_id, row.unit_id):
            continue
        db.session.execute(
            update(CareVisit)
            .where(CareVisit.id == row.id)
            .values(assignee_id=_other_liaison(row.unit_id, user_id))
        )
        care.append(row.id)
    return Moved(issues, visits, care)


def _other_liaison(unit_id: int, leaving_id: int) -> int | None:
    return db.session.scalar(
        select(Membership.user_id)
        .where(
            Membership.role == "liaison",
            Membership.unit_id == unit_id,
            Membership.user_id != leaving_id,
        )
        .order_by(Membership.id)
        .limit(1)
    )
