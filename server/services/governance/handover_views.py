"""What a handover looks like before and after: the preview (the unit's liaisons, what
would move, who could take over) and the compound's list of handovers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Building, Handover, Household, Membership, Unit
from server.services.governance import duties
from server.services.governance.handovers import liaison_ids, place_for, summary, unit_label
from server.services.people import compounds
from server.services.people.access import Principal, record_access
from server.services.people.users import names_in

PAGE_MAX = 50
# Volunteers of a compound who could take over a unit (besides the unit's residents).
VOLUNTEER_ROLES = ("liaison", "building_lead", "committee", "supervisor")


@dataclass(frozen=True)
class LiaisonLoad:
    user_id: int
    name: str
    issues: int
    return_visits: int
    care_visits: int


@dataclass
class Candidate:
    user_id: int
    name: str
    roles: list[dict] = field(default_factory=list)  # [{"role", "label"}]


@dataclass(frozen=True)
class Preview:
    unit: str
    unit_label: str
    liaisons: list[LiaisonLoad]
    binding_requests: int
    unpaid_households: int
    candidates: list[Candidate]


@dataclass(frozen=True)
class HandoverView:
    id: int
    unit: str
    unit_label: str
    from_user_id: int | None
    from_name: str | None
    to_user_id: int
    to_name: str
    created_by_name: str | None
    created_at: datetime
    issues: list[int]
    return_visits: list[int]
    care_visits: list[int]
    binding_requests: int
    unpaid_households: int
    summary: str


def preview(principal: Principal, code: str, unit_path: str | None) -> Preview:
    """The unit's liaisons with what each would hand over, the unit's binding reviews
    and unpaid households, and the people who could take over (no phone numbers).
    Records the access: it lists people. Raises what `handovers.place_for` raises."""
    place = place_for(principal, code, unit_path)
    unit, compound_id = place.unit, place.compound.id
    liaisons = liaison_ids(unit.id)
    candidates = _candidates(compound_id, unit.id)
    names = names_in(compound_id, liaisons + [c.user_id for c in candidates])
    loads = []
    for user_id in liaisons:
        held = duties.held_in_unit(user_id, unit.id)
        counts = len(held.issues), len(held.return_visits), len(held.care_visits)
        loads.append(LiaisonLoad(user_id, names[user_id], *counts))
    for candidate in candidates:
        candidate.name = names[candidate.user_id]
    work = duties.unit_work(unit.id)
    record_access(
        principal, "handover_preview", "user", [c.user_id for c in candidates], compound_id
    )
    db.session.commit()
    return Preview(
        unit=unit.label,
        unit_label=unit_label(unit),
        liaisons=loads,
        binding_requests=work.binding_requests,
        unpaid_households=work.unpaid_households,
        candidates=candidates,
    )


def _candidates(compound_id: int, unit_id: int) -> list[Candidate]:
    """The unit's residents and the compound's volunteers, each once with their roles."""
    rows = db.session.execute(
        select(Membership, Building.number, Unit.number, Household.room)
        .outerjoin(Building, Building.id == Membership.building_id)
        .outerjoin(Unit, Unit.id == Membership.unit_id)
        .outerjoin(Household, Household.id == Membership.household_id)
        .where(
            Membership.compound_id == compound_id,
            or_(
                (Membership.role == "resident") & (Membership.unit_id == unit_id),
                Membership.role.in_(VOLUNTEER_ROLES),
            ),
        )
        .order_by(Membership.user_id, Membership.id)
    ).all()
    people: dict[int, Candidate] = {}
    for membership, building_no, unit_no, room in rows:
        parts = [str(p) for p in (building_no, unit_no, room) if p is not None]
        candidate = people.setdefault(membership.user_id, Candidate(membership.user_id, ""))
        candidate.roles.append({"role": membership.role, "label": "-".join(parts) or None})
    return list(people.values())


def list_for(
    principal: Principal, code: str, *, before: int | None = None, limit: int = 20
) -> tuple[list[HandoverView], int | None]:
    """A compound's handovers, newest first, and the `before` of the next page.
    Committee, supervisor or admin; the read is access-logged (commits). Raises
    NotFound (compound_not_found), Forbidden."""
    compound = compounds.get_compound(code)
    if not principal.is_admin and compound.id not in principal.compound_ids:
        raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")
    if not (
        principal.is_admin
        or principal.committee_of(compound.id)
        or principal.supervisor_of(compound.id)
    ):
        raise Forbidden("只有业委会和财务监督可以查看交接记录", code="committee_only")
    limit = max(1, min(limit, PAGE_MAX))
    query = select(Handover).where(Handover.compound_id == compound.id)
    if before is not None:
        query = query.where(Handover.id < before)
    rows = list(db.session.scalars(query.order_by(Handover.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    views = views_of(compound.id, rows)
    record_access(principal, "list", "handover", [h.id for h in rows], compound.id)
    db.session.commit()
    return views, (rows[-1].id if more else None)


def views_of(compound_id: int, rows: list[Handover]) -> list[HandoverView]:
    """Handovers as people read them: the unit, who from, who to, what moved."""
    ids = [uid for h in rows for uid in (h.from_user_id, h.to_user_id, h.created_by_id)]
    names = names_in(compound_id, ids)
    units = {
        unit.id: unit
        for unit in db.session.scalars(select(Unit).where(Unit.id.in_({h.unit_id for h in rows})))
    }
    return [_view(h, units[h.unit_id], names) for h in rows]


def _view(handover: Handover, unit: Unit, names: dict[int, str]) -> HandoverView:
    moved = handover.moved or {}
    return HandoverView(
        id=handover.id,
        unit=unit.label,
        unit_label=unit_label(unit),
        from_user_id=handover.from_user_id,
        from_name=names.get(handover.from_user_id),
        to_user_id=handover.to_user_id,
        to_name=names[handover.to_user_id],
        created_by_name=names.get(handover.created_by_id),
        created_at=handover.created_at,
        issues=list(moved.get("issues", [])),
        return_visits=list(moved.get("return_visits", [])),
        care_visits=list(moved.get("care_visits", [])),
        binding_requests=moved.get("binding_requests", 0),
        unpaid_households=moved.get("unpaid_households", 0),
        summary=summary(
            {
                "issues": moved.get("issues", []),
                "return_visits": moved.get("return_visits", []),
                "care_visits": moved.get("care_visits", []),
                "binding_requests": moved.get("binding_requests", 0),
                "unpaid_households": moved.get("unpaid_households", 0),
            }
        ),
    )
