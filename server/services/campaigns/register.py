"""The sweep's register (台账) as Excel: one row per household of the caller's units
(the committee: all), each checklist item ✓/✗, the note, whether it needs action and
the issue it opened, who recorded it and when. No census personal data (names,
phones, care tags) is in it."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.labels import label
from server.models import Building, Household, Unit
from server.models.campaigns import CampaignResult
from server.services import excel
from server.services.campaigns import access
from server.services.people.access import Principal
from server.services.people.users import names_in

MARKS = {True: "✓", False: "✗"}


def export_xlsx(principal: Principal, campaign_id: int) -> tuple[bytes, str]:
    """(the workbook, a file name). Raises NotFound, Forbidden."""
    campaign = access.visible_campaign(principal, campaign_id)
    unit_ids = [u.unit_id for u in access.reached_units(principal, campaign)]
    rows = db.session.execute(
        select(Household, Building.number, Unit.number)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Household.unit_id.in_(unit_ids))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    ).all()
    results = {
        r.household_id: r
        for r in db.session.scalars(
            select(CampaignResult).where(CampaignResult.campaign_id == campaign.id)
        )
    }
    names = names_in(campaign.compound_id, [r.recorded_by_id for r in results.values()])
    columns = [
        excel.Column("单元", 8),
        excel.Column("房号", 8),
        excel.Column("已走访", 8, "yes_no"),
        *(excel.Column(item, max(8, min(len(item) * 2 + 2, 24))) for item in campaign.checklist),
        excel.Column("备注", 30),
        excel.Column("需处理", 8, "yes_no"),
        excel.Column("事项编号", 10, "id"),
        excel.Column("登记人", 12),
        excel.Column("登记时间", 18, "datetime"),
    ]
    body = [
        _row(campaign.checklist, household, f"{b}-{u}", results.get(household.id), names)
        for household, b, u in rows
    ]
    sheet = excel.Sheet(label("campaign_type", campaign.type), columns, body)
    return excel.xlsx(sheet), f"campaign-{campaign.id}.xlsx"


def _row(checklist, household, unit, result, names) -> list:
    if result is None:
        return [
            unit,
            household.room,
            False,
            *([None] * len(checklist)),
            None,
            False,
            None,
            None,
            None,
        ]
    found = {e["item"]: e for e in result.items}
    marks = [_mark(found.get(item)) for item in checklist]
    return [
        unit,
        household.room,
        True,
        *marks,
        result.note,
        result.needs_action,
        result.issue_id,
        names.get(result.recorded_by_id),
        result.recorded_at,
    ]


def _mark(entry: dict | None) -> str | None:
    if entry is None:
        return None
    return MARKS[bool(entry["ok"])] + (f" {entry['note']}" if entry.get("note") else "")
