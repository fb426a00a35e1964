"""Who reaches a sweep: the compound's committee every unit of it, a building lead the
units of their building, a liaison their own units. Outside the caller's compounds a
sweep is not found (404); inside, a caller none of whose units it covers (another
unit's liaison, a resident, the supervisor) is refused (403)."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Building, Unit
from server.models.campaigns import Campaign, CampaignUnit
from server.services.people.access import Principal

VOLUNTEER_ROLES = ("liaison", "building_lead", "committee")


def visible_campaign(principal: Principal, campaign_id: int) -> Campaign:
    """The sweep if it is of one of the caller's compounds. Raises NotFound."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.compound_id not in principal.compound_ids:
        raise NotFound("找不到这次排查", code="campaign_not_found")
    return campaign


def is_volunteer(principal: Principal, compound_id: int) -> bool:
    return any(
        m.role in VOLUNTEER_ROLES and m.compound_id == compound_id for m in principal.memberships
    )


def handles(principal: Principal, unit: CampaignUnit) -> bool:
    return principal.handles_unit(unit.compound_id, unit.building_id, unit.unit_id)


def units_of(campaign_ids: list[int]) -> dict[int, list[CampaignUnit]]:
    """Campaign id → its units, in building and unit order (one query)."""
    found: dict[int, list[CampaignUnit]] = {cid: [] for cid in campaign_ids}
    if not campaign_ids:
        return found
    rows = db.session.scalars(
        select(CampaignUnit)
        .join(Unit, Unit.id == CampaignUnit.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(CampaignUnit.campaign_id.in_(campaign_ids))
        .order_by(Building.number, Unit.number)
    )
    for row in rows:
        found[row.campaign_id].append(row)
    return found


def reached_units(principal: Principal, campaign: Campaign) -> list[CampaignUnit]:
    """The sweep's units the caller handles (the committee: all). Raises Forbidden
    when there are none."""
    units = [u for u in units_of([campaign.id])[campaign.id] if handles(principal, u)]
    if not units and not principal.committee_of(campaign.compound_id):
        raise Forbidden("只有排查范围内的联络人、楼栋长和业委会可以查看", code="campaign_forbidden")
    return units


def unit_labels(unit_ids) -> dict[int, str]:
    """Unit id → "1-2" (building number - unit number)."""
    ids = set(unit_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Unit.id, Building.number, Unit.number)
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.id.in_(ids))
    )
    return {uid: f"{building}-{number}" for uid, building, number in rows}
