"""A household's own data, for its residents: everything Linli holds about the flat
(the census record with phones in full, care tags and visits, sweep results, consents,
who is bound to it, the caller's own issues, the bills) and who viewed it.

Only a resident of the flat reads it (403 for anyone else of the compound, 404
outside). The download is logged ("download"); the household then sees it among the
views of its record like any other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import (
    Bill,
    Campaign,
    CampaignResult,
    CareTag,
    CareVisit,
    Compound,
    Household,
    HouseholdCensus,
    HouseholdMember,
    Issue,
    Membership,
)
from server.services.census import crypto
from server.services.people import users
from server.services.people.access import Principal, record_access
from server.services.privacy import consent_views, household_views

DOWNLOAD_REASON = "住户下载本户信息"


def own_household(principal: Principal, household_id: int) -> Household:
    """The flat if the caller is bound to it as a resident. Raises NotFound (no such
    flat in the caller's compounds), Forbidden (own_household_only)."""
    household = db.session.get(Household, household_id)
    if household is None or household.compound_id not in principal.compound_ids:
        raise NotFound("找不到这户", code="household_not_found")
    if not principal.resident_of(household.id):
        raise Forbidden("只有本户住户可以查看本户的个人信息", code="own_household_only")
    return household


def viewed_by(
    principal: Principal, household_id: int, cursor: str | None = None, limit: int = 50
) -> household_views.ViewPage:
    """Who viewed my household's record, newest first. Raises NotFound, Forbidden,
    ValidationFailed (bad_cursor)."""
    return household_views.views_of(own_household(principal, household_id), cursor, limit)


def download(principal: Principal, household_id: int) -> dict:
    """Everything held about my household, phones in full. Logged "download"; commits.
    Raises NotFound, Forbidden."""
    household = own_household(principal, household_id)
    since = household_views.history_from(household.id)
    data = {
        "household": _household(household),
        "members": members(household.id, _bound_since(principal, household.id)),
        "tags": tags(household.id),
        "census": census(household),
        "visits": visits(household, since),
        "campaign_results": campaign_results(household.id, since),
        "consents": consent_views.household_consents(household.id, since),
        "bindings": bindings(household.id),
        "issues": issues(principal, household.id),
        "bills": bills(household.id),
        "viewed_by": household_views.views_of(household, limit=500).items,
    }
    record_access(
        principal,
        "download",
        "household",
        [household.id],
        household.compound_id,
        household_id=household.id,
        reason=DOWNLOAD_REASON,
    )
    db.session.commit()
    return data


def _household(household: Household) -> dict:
    compound = db.session.get(Compound, household.compound_id)
    return {
        "id": household.id,
        "label": household.label,
        "compound": compound.code,
        "compound_name": compound.name,
        "area_m2": household.area_m2,
        "area": household.area_m2,
    }


def _bound_since(principal: Principal, household_id: int) -> datetime | None:
    return min(
        (
            m.created_at
            for m in principal.memberships
            if m.role == "resident" and m.household_id == household_id
        ),
        default=None,
    )


def members(household_id: int, bound_since: datetime | None = None) -> list[dict]:
    """The people the census holds, phones in full: those living there, and those who
    moved out (until anonymised) while the caller was bound to the flat. Whoever left
    before the caller came (the family before them) is not theirs to read."""
    left_before = HouseholdMember.moved_out_at.is_not(None)
    if bound_since is not None:
        left_before &= HouseholdMember.moved_out_at < bound_since
    rows = db.session.scalars(
        select(HouseholdMember)
        .where(
            HouseholdMember.household_id == household_id,
            HouseholdMember.anonymised_at.is_(None),
            ~left_before,
        )
        .order_by(HouseholdMember.id)
    )
    return [
        {
            "id": m.id,
            "name": m.name,
            "relation": m.relation,
            "age_band": m.age_band,
            "phone": crypto.decrypt(m.phone_cipher),
            "phone_masked": m.phone_masked,
            "uses_wechat": m.uses_wechat,
            "bound": m.user_id is not None,
            "moved_out_at": m.moved_out_at,
        }
        for m in rows
    ]


def tags(household_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(CareTag.tag).where(CareTag.household_id == household_id).order_by(CareTag.id)
        )
    )


def census(household: Household) -> dict:
    row = db.session.scalars(
        select(HouseholdCensus).where(HouseholdCensus.household_id == household.id)
    ).first()
    if row is None:
        return {"occupancy": None, "confirmed_at": None, "confirmed_by": None, "moved_out_at": None}
    names = users.names_in(household.compound_id, [row.confirmed_by_id])
    return {
        "occupancy": row.residence,
        "confirmed_at": row.confirmed_at,
        "confirmed_by": names.get(row.confirmed_by_id),
        "moved_out_at": row.moved_out_at,
    }


def visits(household: Household, since=None) -> list[dict]:
    """The household's care visits (since `since`: its own, not a previous household's)."""
    query = select(CareVisit).where(CareVisit.household_id == household.id)
    if since is not None:
        query = query.where(CareVisit.created_at >= since)
    rows = db.session.scalars(query.order_by(CareVisit.id)).all()
    names = users.names_in(household.compound_id, [v.recorded_by_id for v in rows])
    return [
        {
            "id": v.id,
            "tag": v.tag,
            "due_on": v.due_on,
            "status": v.status,
            "visited_on": v.visited_on,
            "method": v.method,
            "how": v.how,
            "concern": v.concern,
            "note": v.note,
            "recorded_by": names.get(v.recorded_by_id),
        }
        for v in rows
    ]


def campaign_results(household_id: int, since=None) -> list[dict]:
    query = (
        select(CampaignResult, Campaign.title, Campaign.type)
        .join(Campaign, Campaign.id == CampaignResult.campaign_id)
        .where(CampaignResult.household_id == household_id)
    )
    if since is not None:
        query = query.where(CampaignResult.recorded_at >= since)
    rows = db.session.execute(query.order_by(CampaignResult.id))
    return [
        {
            "campaign_id": result.campaign_id,
            "campaign": title,
            "type": kind,
            "items": result.items,
            "note": result.note,
            "needs_action": result.needs_action,
            "issue_id": result.issue_id,
            "recorded_at": result.recorded_at,
        }
        for result, title, kind in rows
    ]


def bindings(household_id: int) -> list[dict]:
    """Who is bound to the flat in the app, as they named themselves."""
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.role == "resident", Membership.household_id == household_id)
        .order_by(Membership.id)
    )
    return [{"name": m.name, "relation": m.relation, "since": m.created_at} for m in rows]


def issues(principal: Principal, household_id: int) -> list[dict]:
    """The issues the caller reported about the flat (not their neighbours' reports)."""
    rows = db.session.scalars(
        select(Issue)
        .where(Issue.household_id == household_id, Issue.reporter_id == principal.id)
        .order_by(Issue.id)
    )
    return [
        {
            "id": i.id,
            "category": i.category,
            "title": i.title,
            "description": i.description,
            "status": i.status,
            "created_at": i.created_at,
            "closed_at": i.closed_at,
        }
        for i in rows
    ]


def bills(household_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(Bill).where(Bill.household_id == household_id).order_by(Bill.period, Bill.id)
    )
    return [
        {
            "id": b.id,
            "period": b.period,
            "item": b.fee_item.name,
            "amount_fen": b.amount_fen,
            "status": b.status,
            "paid_at": b.paid_at,
        }
        for b in rows
    ]
