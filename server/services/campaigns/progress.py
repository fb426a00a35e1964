"""Reading sweeps: the list a volunteer sees, one sweep with its units' progress, and a
unit's door-to-door list with each household's result.

Progress counts the households of each unit (every door) against those recorded;
a caller sees the units they handle (the committee: all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from server.clock import SHANGHAI, utcnow
from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Household, Upload
from server.models.campaigns import Campaign, CampaignResult, CampaignUnit
from server.services.campaigns import access, starting
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.people.users import names_in
from server.services.photos import attachments

PHOTO_KIND = "campaign_result"


@dataclass
class UnitProgress:
    unit_id: int
    unit: str
    building_id: int
    visited: int
    total: int
    overdue: bool
    escalated: bool


@dataclass
class CampaignView:
    campaign: Campaign
    units: list[UnitProgress]
    may: dict
    scope: tuple[object, str]  # (the scope in building and unit numbers, its label)

    @property
    def progress(self) -> dict:
        return {
            "visited": sum(u.visited for u in self.units),
            "total": sum(u.total for u in self.units),
        }


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def list_for(principal: Principal, code: str) -> list[CampaignView]:
    """The compound's sweeps whose scope touches the caller's units (committee: all),
    open ones first, then by due day. Raises NotFound, Forbidden (volunteers_only)."""
    compound = compounds.member_compound(principal, code)
    if not access.is_volunteer(principal, compound.id):
        raise Forbidden("只有联络人、楼栋长和业委会可以查看排查", code="volunteers_only")
    campaigns = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.compound_id == compound.id)
            .order_by(
                case((Campaign.status == "open", 0), else_=1), Campaign.due_on, Campaign.id.desc()
            )
        )
    )
    units = access.units_of([c.id for c in campaigns])
    committee = principal.committee_of(compound.id)
    shown = [(c, [u for u in units[c.id] if access.handles(principal, u)]) for c in campaigns]
    shown = [(c, reached) for c, reached in shown if reached or committee]
    return views(principal, shown)


def detail(principal: Principal, campaign_id: int) -> CampaignView:
    """One sweep with the progress of the caller's units. Raises NotFound, Forbidden."""
    campaign = access.visible_campaign(principal, campaign_id)
    return views(principal, [(campaign, access.reached_units(principal, campaign))])[0]


def views(principal: Principal, shown: list[tuple[Campaign, list[CampaignUnit]]]) -> list:
    """Each sweep with its units' progress (three queries for the whole list)."""
    unit_ids = {u.unit_id for _c, units in shown for u in units}
    totals = household_counts(unit_ids)
    visited = visited_counts([c.id for c, _units in shown])
    labels = access.unit_labels(unit_ids)
    scopes = starting.scope_views([c for c, _units in shown])
    now = today()
    result = []
    for campaign, units in shown:
        late = campaign.status == "open" and now > campaign.due_on
        rows = [
            UnitProgress(
                unit_id=u.unit_id,
                unit=labels[u.unit_id],
                building_id=u.building_id,
                visited=visited.get((campaign.id, u.unit_id), 0),
                total=totals.get(u.unit_id, 0),
                overdue=late
                and visited.get((campaign.id, u.unit_id), 0) < totals.get(u.unit_id, 0),
                escalated=u.escalated_at is not None,
            )
            for u in units
        ]
        may = _may(principal, campaign, units)
        result.append(CampaignView(campaign, rows, may, scopes[campaign.id]))
    return result


def _may(principal: Principal, campaign: Campaign, units: list[CampaignUnit]) -> dict:
    open_ = campaign.status == "open"
    committee = principal.committee_of(campaign.compound_id)
    return {"record": open_ and bool(units), "close": open_ and committee, "export": True}


def household_counts(unit_ids) -> dict[int, int]:
    """Unit id → its households (every door)."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Household.unit_id, func.count())
        .where(Household.unit_id.in_(unit_ids))
        .group_by(Household.unit_id)
    )
    return dict(rows.all())


def visited_counts(campaign_ids) -> dict[tuple[int, int], int]:
    """(campaign id, unit id) → the households recorded."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignResult.campaign_id, CampaignResult.unit_id, func.count())
        .where(CampaignResult.campaign_id.in_(campaign_ids))
        .group_by(CampaignResult.campaign_id, CampaignResult.unit_id)
    )
    return {(cid, uid): n for cid, uid, n in rows}


def households(principal: Principal, campaign_id: int, unit_id: int) -> list[dict]:
    """A unit's households with their result, for the door-to-door list. Raises
    NotFound (campaign_not_found, unit_not_found: not in the sweep), Forbidden."""
    campaign = access.visible_campaign(principal, campaign_id)
    reached = access.reached_units(principal, campaign)
    unit = next(
        (u for u in access.units_of([campaign.id])[campaign.id] if u.unit_id == unit_id), None
    )
    if unit is None:
        raise NotFound("这个单元不在本次排查范围内", code="unit_not_found")
    if unit not in reached and not principal.committee_of(campaign.compound_id):
        raise Forbidden("只有本单元联络人、楼栋长或业委会可以查看", code="campaign_forbidden")
    rows = list(
        db.session.scalars(
            select(Household)
            .where(Household.unit_id == unit_id)
            .order_by(Household.floor, Household.room)
        )
    )
    results = {
        r.household_id: r
        for r in db.session.scalars(
            select(CampaignResult).where(
                CampaignResult.campaign_id == campaign.id, CampaignResult.unit_id == unit_id
            )
        )
    }
    shown = result_views(list(results.values()))
    label = access.unit_labels([unit_id])[unit_id]
    return [
        {"household_id": h.id, "label": f"{label}-{h.room}", "result": shown.get(h.id)}
        for h in rows
    ]


def result_views(results: list[CampaignResult]) -> dict[int, dict]:
    """Household id → its result as the volunteers see it (photos: the result's and
    those of the issue it opened)."""
    if not results:
        return {}
    photos = attachments.of(PHOTO_KIND, [r.id for r in results])
    issue_ids = [r.issue_id for r in results if r.issue_id is not None]
    on_issues: dict[int, list[int]] = {}
    if issue_ids:
        for issue_id, upload_id in db.session.execute(
            select(Upload.issue_id, Upload.id)
            .where(Upload.issue_id.in_(issue_ids))
            .order_by(Upload.id)
        ):
            on_issues.setdefault(issue_id, []).append(upload_id)
    names = names_in(results[0].compound_id, [r.recorded_by_id for r in results])
    return {
        r.household_id: {
            "id": r.id,
            "household_id": r.household_id,
            "items": r.items,
            "note": r.note,
            "needs_action": r.needs_action,
            "issue_id": r.issue_id,
            "photos": photos[r.id] + on_issues.get(r.issue_id, []),
            "recorded_by": names.get(r.recorded_by_id),
            "recorded_at": r.recorded_at,
        }
        for r in results
    }
