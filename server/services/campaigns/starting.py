"""Starting a sweep (the committee: type, checklist, scope, due day; the liaisons and
leads of the scope are told) and closing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Membership, Unit
from server.models.campaigns import Campaign, CampaignUnit
from server.services.campaigns import access, messages, templates
from server.services.messaging import notify
from server.services.people import compounds
from server.services.people.access import Principal

MAX_AHEAD_DAYS = 366


@dataclass
class Draft:
    type: str
    title: str
    scope: object  # "compound" or {"buildings": [1], "units": ["1-2"]}
    due_on: date
    checklist: list[str] | None = None


def start(principal: Principal, code: str, draft: Draft) -> Campaign:
    """Start a sweep (committee) with a CampaignUnit for every unit in its scope, and
    tell the scope's liaisons and building leads. Raises NotFound, Forbidden
    (committee_only), Conflict (archived), ValidationFailed (bad_scope, bad_due_on,
    duplicate_item)."""
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会可以发起排查", code="committee_only")
    today = utcnow().astimezone(SHANGHAI).date()
    if not today <= draft.due_on <= today + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationFailed("截止日期应在今天到一年之内", code="bad_due_on")
    if draft.checklist and len(set(draft.checklist)) != len(draft.checklist):
        raise ValidationFailed("清单里有重复的项目", code="duplicate_item")
    stored, units = parse_scope(compound, draft.scope)
    campaign = Campaign(
        compound_id=compound.id,
        type=draft.type,
        title=draft.title,
        checklist=draft.checklist or templates.CHECKLISTS[draft.type],
        scope=stored,
        due_on=draft.due_on,
        status="open",
        created_by_id=principal.id,
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add_all(
        CampaignUnit(
            campaign_id=campaign.id,
            compound_id=compound.id,
            building_id=unit.building_id,
            unit_id=unit.id,
        )
        for unit in units
    )
    _tell_scope(principal, campaign, units)
    db.session.commit()
    return campaign


def parse_scope(compound: Compound, scope) -> tuple[dict, list[Unit]]:
    """("compound" | {"buildings": [numbers], "units": ["1-2"]}) → (the scope as stored:
    building and unit ids, the units it covers). Raises ValidationFailed (bad_scope)."""
    structure = _structure(compound.id)
    if scope == "compound":
        return {"buildings": [], "units": []}, [
            u for _b, units in structure.values() for u in units
        ]
    if not isinstance(scope, dict) or set(scope) - {"buildings", "units"}:
        raise _bad_scope('范围应为 "compound" 或 {"buildings": [楼号], "units": ["楼-单元"]}')
    numbers, paths = scope.get("buildings") or [], scope.get("units") or []
    if not isinstance(numbers, list) or not isinstance(paths, list) or not (numbers or paths):
        raise _bad_scope("请选择排查范围：全小区，或哪几栋楼、哪几个单元")
    buildings, units = [], {}
    for number in numbers:
        if not isinstance(number, int) or isinstance(number, bool) or number not in structure:
            raise _bad_scope(f"本小区没有 {number} 号楼")
        building, in_building = structure[number]
        buildings.append(building.id)
        units.update((u.id, u) for u in in_building)
    unit_ids = []
    for path in paths:
        unit = _unit_at(structure, path)
        unit_ids.append(unit.id)
        units[unit.id] = unit
    if not units:
        raise _bad_scope("范围内没有单元")
    stored = {"buildings": sorted(set(buildings)), "units": sorted(set(unit_ids))}
    return stored, list(units.values())


def _unit_at(structure: dict, path) -> Unit:
    if not isinstance(path, str):
        raise _bad_scope(f"单元格式应为 楼-单元，如 1-2，收到 {path!r}")
    try:
        building_no, unit_no = compounds.parse_unit_path(path)
    except ValidationFailed as refused:
        raise _bad_scope(refused.message) from None
    found = [u for u in structure.get(building_no, (None, []))[1] if u.number == unit_no]
    if not found:
        raise _bad_scope(f"本小区没有 {building_no} 号楼 {unit_no} 单元")
    return found[0]


def _structure(compound_id: int) -> dict[int, tuple[Building, list[Unit]]]:
    """Building number → (building, its units in order)."""
    structure: dict[int, tuple[Building, list[Unit]]] = {}
    for building in db.session.scalars(
        select(Building).where(Building.compound_id == compound_id).order_by(Building.number)
    ):
        structure[building.number] = (building, [])
    for unit in db.session.scalars(
        select(Unit).where(Unit.compound_id == compound_id).order_by(Unit.number)
    ):
        for building, units in structure.values():
            if building.id == unit.building_id:
                units.append(unit)
    return structure


def _bad_scope(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_scope")


def scope_view(campaign: Campaign) -> tuple[object, str]:
    """(the scope in the numbers people use, its Chinese label)."""
    return scope_views([campaign])[campaign.id]


def scope_views(campaigns: list[Campaign]) -> dict[int, tuple[object, str]]:
    """Campaign id → `scope_view`, in two queries however many campaigns."""
    building_ids = {b for c in campaigns for b in c.scope.get("buildings", [])}
    unit_ids = {u for c in campaigns for u in c.scope.get("units", [])}
    numbers = {}
    if building_ids:
        numbers = dict(
            db.session.execute(
                select(Building.id, Building.number).where(Building.id.in_(building_ids))
            ).all()
        )
    labels = access.unit_labels(unit_ids)
    return {c.id: _scope_view(c, numbers, labels) for c in campaigns}


def _scope_view(campaign: Campaign, numbers: dict, labels: dict) -> tuple[object, str]:
    building_ids, unit_ids = campaign.scope.get("buildings", []), campaign.scope.get("units", [])
    if not building_ids and not unit_ids:
        return "compound", "全小区"
    buildings = sorted(numbers[b] for b in building_ids if b in numbers)
    units = sorted((labels[u] for u in unit_ids if u in labels), key=_unit_key)
    words = [f"{n}号楼" for n in buildings] + [
        "{}号楼{}单元".format(*path.split("-")) for path in units
    ]
    return {"buildings": buildings, "units": units}, "、".join(words)


def _unit_key(path: str) -> tuple[int, int]:
    building, unit = path.split("-")
    return int(building), int(unit)


def _tell_scope(principal: Principal, campaign: Campaign, units: list[Unit]) -> None:
    unit_ids = [u.id for u in units]
    building_ids = list({u.building_id for u in units})
    people = db.session.scalars(
        select(Membership.user_id)
        .where(
            Membership.compound_id == campaign.compound_id,
            ((Membership.role == "liaison") & Membership.unit_id.in_(unit_ids))
            | ((Membership.role == "building_lead") & Membership.building_id.in_(building_ids)),
        )
        .order_by(Membership.user_id)
    )
    _label = scope_view(campaign)[1]
    notify.deliver(
        messages.started(campaign, _label, utcnow()),
        [uid for uid in people if uid != principal.id],
        notify.Occasion(f"camp{campaign.id}", campaign.compound_id),
        volunteers=True,
    )


def close(principal: Principal, campaign_id: int) -> Campaign:
    """Close a sweep (committee): nothing more is recorded. Raises NotFound, Forbidden
    (committee_only), Conflict (archived, campaign_closed)."""
    campaign = access.visible_campaign(principal, campaign_id)
    if not principal.committee_of(campaign.compound_id):
        raise Forbidden("只有业委会可以结束排查", code="committee_only")
    compounds.ensure_open_id(campaign.compound_id)
    if campaign.status != "open":
        raise Conflict("这次排查已经结束", code="campaign_closed")
    campaign.status, campaign.closed_at = "closed", utcnow()
    db.session.commit()
    return campaign
