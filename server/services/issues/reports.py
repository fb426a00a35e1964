"""Reporting issues (for oneself, or for a neighbour without WeChat) and acting on them.

Reading them — lists and the detail — is in `views`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Household, Unit
from server.models.issue import Issue
from server.services.issues import detail as details
from server.services.issues import policies
from server.services.issues.access import acting_role, handles
from server.services.issues.flow import Action, transition
from server.services.issues.locations import COMMON_AREA, location_label
from server.services.issues.timeline import add_event, attach_photos
from server.services.messaging import notify
from server.services.people import compounds
from server.services.people.access import Principal


@dataclass
class NewIssue:
    category: str
    title: str
    description: str
    household_id: int | None = None
    unit_id: int | None = None
    building_id: int | None = None
    compound: str | None = None
    photos: list[int] = field(default_factory=list)
    show_name: bool = False
    on_behalf_name: str | None = None


@dataclass(frozen=True)
class Place:
    compound: Compound
    location: str  # its label: "1-1-101", "1号楼2单元", "1号楼", "小区公共区域"
    building_id: int | None = None
    unit_id: int | None = None
    household_id: int | None = None

    @property
    def compound_id(self) -> int:
        return self.compound.id


def report(
    principal: Principal, new: NewIssue, now: datetime | None = None, *, commit: bool = True
) -> Issue:
    """Report an issue (or file one for a neighbour without WeChat: `on_behalf_name`).
    `commit=False`: flushed only, for a use case that links the issue to its own row
    in the same transaction (a sweep's finding, a care visit).

    Raises NotFound/Forbidden for a place the caller cannot report about, and
    ValidationFailed for photos that are not the caller's own fresh uploads.
    """
    now = now or utcnow()
    place = _locate(principal, new)
    compounds.ensure_open(place.compound)
    on_behalf = bool(new.on_behalf_name)
    if on_behalf:
        _check_may_file_for_others(principal, place)
    policy = policies.policy_for(place.compound_id, new.category)
    issue = Issue(
        compound_id=place.compound_id,
        building_id=place.building_id,
        unit_id=place.unit_id,
        household_id=place.household_id,
        category=new.category,
        title=new.title,
        description=new.description,
        show_name=new.show_name,
        reporter_id=None if on_behalf else principal.id,
        filed_by_id=principal.id,
        on_behalf_name=new.on_behalf_name if on_behalf else None,
        status="submitted",
        created_at=now,
        response_due_at=now + timedelta(hours=policy.accept_hours),
        resolution_due_at=now + timedelta(days=policy.resolve_days),
    )
    db.session.add(issue)
    db.session.flush()
    role = acting_role(principal, issue) if on_behalf else "resident"
    event = add_event(
        issue, principal, "submit", None, "submitted", now=now, data={"actor_role": role}
    )
    attach_photos(principal, issue, event, new.photos)
    notify.on_event(issue, event, location=place.location)
    if commit:
        db.session.commit()
    return issue


def _locate(principal: Principal, new: NewIssue) -> Place:
    given = [v for v in (new.household_id, new.unit_id, new.building_id) if v is not None]
    if len(given) > 1 or (given and new.compound):
        raise ValidationFailed(
            "只能选择一个位置：一户、一个单元、一栋楼或小区公共区域", code="one_place"
        )
    if new.household_id is not None:
        row = db.session.execute(
            select(Household, Compound, Building.number, Unit.number)
            .join(Compound, Compound.id == Household.compound_id)
            .join(Building, Building.id == Household.building_id)
            .join(Unit, Unit.id == Household.unit_id)
            .where(Household.id == new.household_id)
        ).first()
        if row is None or row[0].compound_id not in principal.compound_ids:
            raise NotFound("找不到该房屋", code="household_not_found")
        household, compound, building_no, unit_no = row
        place = Place(
            compound,
            location_label(building_no, unit_no, household.room),
            household.building_id,
            household.unit_id,
            household.id,
        )
        if not (principal.resident_of(household.id) or _handles_place(principal, place)):
            raise Forbidden("只能为自己家或自己负责的单元报事", code="not_your_household")
        return place
    if new.unit_id is not None:
        row = db.session.execute(
            select(Unit, Compound, Building.number)
            .join(Compound, Compound.id == Unit.compound_id)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.id == new.unit_id)
        ).first()
        if row is None or row[0].compound_id not in principal.compound_ids:
            raise NotFound("找不到该单元", code="unit_not_found")
        unit, compound, building_no = row
        place = Place(
            compound, location_label(building_no, unit.number, None), unit.building_id, unit.id
        )
        lives_there = any(
            m.unit_id == unit.id for m in principal.memberships if m.role == "resident"
        )
        if not (lives_there or _handles_place(principal, place)):
            raise Forbidden("只能为自己所在的单元报事", code="not_your_unit")
        return place
    if new.building_id is not None:
        row = db.session.execute(
            select(Building, Compound)
            .join(Compound, Compound.id == Building.compound_id)
            .where(Building.id == new.building_id)
        ).first()
        if row is None or row[0].compound_id not in principal.compound_ids:
            raise NotFound("找不到该楼栋", code="building_not_found")
        building, compound = row
        place = Place(compound, location_label(building.number, None, None), building.id)
        lives_there = any(m.building_id == building.id for m in principal.memberships)
        if not lives_there and not principal.committee_of(building.compound_id):
            raise Forbidden("只能为自己所在的楼栋报事", code="not_your_building")
        return place
    return Place(db.session.get(Compound, _compound_for(principal, new.compound)), COMMON_AREA)


def _compound_for(principal: Principal, code: str | None) -> int:
    if code:
        compound_id = db.session.scalar(select(Compound.id).where(Compound.code == code))
        if compound_id is None or compound_id not in principal.compound_ids:
            raise NotFound("找不到该小区", code="compound_not_found")
        return compound_id
    if len(principal.compound_ids) == 1:
        return next(iter(principal.compound_ids))
    if not principal.compound_ids:
        raise Forbidden("请先绑定房屋再报事", code="not_bound")
    raise ValidationFailed("您属于多个小区，请指明小区编号（compound）", code="compound_required")


def _handles_place(principal: Principal, place: Place) -> bool:
    probe = Issue(
        compound_id=place.compound_id, building_id=place.building_id, unit_id=place.unit_id
    )
    return handles(principal, probe)


def _check_may_file_for_others(principal: Principal, place: Place) -> None:
    if place.household_id is None:
        raise ValidationFailed("代报事须指明是哪一户", code="household_required")
    if not _handles_place(principal, place):
        raise Forbidden(
            "只有本单元联络人、楼栋长或业委会可以代居民报事", code="cannot_file_for_others"
        )


def report_and_show(principal: Principal, new: NewIssue) -> details.IssueDetail:
    """Report an issue and return it as its reporter now sees it."""
    issue_id = report(principal, new, commit=False).id  # read before the commit expires it
    db.session.commit()
    return details.detail(principal, issue_id)


def act(principal: Principal, issue_id: int, request: Action) -> details.IssueDetail:
    """Apply an action (see flow.transition) and return the issue as it now is."""
    transition(principal, issue_id, request)
    return details.detail(principal, issue_id)
