"""Recording what was found at a household, door to door. "Needs action" opens an issue
in the request loop (through `issues.reports.report`, so the unit's liaison and the
committee are pushed as for every new issue); recording the household again updates
its result and opens no second issue."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Attachment, Household, Upload
from server.models.campaigns import Campaign, CampaignResult, CampaignUnit
from server.services.campaigns import access
from server.services.campaigns.progress import PHOTO_KIND
from server.services.issues import reports
from server.services.messaging.messages import shorten
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.photos import attachments

# The issue category a finding opens when the caller names none.
CATEGORY_OF_TYPE = {"safety": "hazard", "dispute": "dispute", "vulnerable": "care"}


@dataclass
class Finding:
    household_id: int
    items: list[dict]  # [{"item": text, "ok": bool, "note": text|None}]
    needs_action: bool = False
    photos: list[int] = field(default_factory=list)
    note: str | None = None
    action: dict | None = None  # {"category", "title"}


def record(principal: Principal, campaign_id: int, finding: Finding) -> CampaignResult:
    """Record (or update) a household's result: its unit's liaison, the building lead
    or the committee. Raises NotFound (campaign/household), Conflict (archived,
    campaign_closed), ValidationFailed (household_not_in_scope, unknown_item,
    duplicate_item, photo_invalid), Forbidden (not_your_unit)."""
    campaign = access.visible_campaign(principal, campaign_id)
    compounds.ensure_open_id(campaign.compound_id)
    if campaign.status != "open":
        raise Conflict("这次排查已经结束，不能再登记", code="campaign_closed")
    household = db.session.get(Household, finding.household_id)
    if household is None or household.compound_id != campaign.compound_id:
        raise NotFound("找不到这户", code="household_not_found")
    unit = _locked_unit(campaign.id, household.unit_id)
    if unit is None:
        raise ValidationFailed("这户不在本次排查范围内", code="household_not_in_scope")
    if not access.handles(principal, unit):
        raise Forbidden("只有本单元联络人、楼栋长或业委会可以登记", code="not_your_unit")
    items = _checked(campaign, finding.items)
    _check_photos(principal, finding.photos)
    result = _upsert(principal, campaign, household, items, finding)
    if finding.needs_action and result.issue_id is None:
        new = _new_issue(campaign, household, result, finding)
        # One transaction: whoever waits on the unit's lock sees the result with its issue.
        result.issue_id = reports.report(principal, new, commit=False).id
    else:
        attachments.attach(principal, campaign.compound_id, PHOTO_KIND, result.id, finding.photos)
    db.session.commit()
    return result


def _locked_unit(campaign_id: int, unit_id: int) -> CampaignUnit | None:
    """The sweep's unit, row-locked: two volunteers at one door record one result."""
    return db.session.scalars(
        select(CampaignUnit)
        .where(CampaignUnit.campaign_id == campaign_id, CampaignUnit.unit_id == unit_id)
        .with_for_update()
    ).first()


def _checked(campaign: Campaign, items: list[dict]) -> list[dict]:
    seen = set()
    for entry in items:
        if entry["item"] not in campaign.checklist:
            raise ValidationFailed(
                f"「{entry['item']}」不是本次排查清单里的项目", code="unknown_item"
            )
        if entry["item"] in seen:
            raise ValidationFailed(f"「{entry['item']}」登记了两次", code="duplicate_item")
        seen.add(entry["item"])
    order = {text: i for i, text in enumerate(campaign.checklist)}
    return [
        {"item": e["item"], "ok": bool(e["ok"]), "note": e.get("note") or None}
        for e in sorted(items, key=lambda e: order[e["item"]])
    ]


def _check_photos(principal: Principal, ids: list[int]) -> None:
    """Refuse photos that are not the caller's fresh uploads before anything is written
    (attaching them checks again, under the unique upload key)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    fresh = db.session.scalar(
        select(func.count()).where(
            Upload.id.in_(ids),
            Upload.uploader_id == principal.id,
            Upload.issue_id.is_(None),
            ~select(Attachment.id).where(Attachment.upload_id == Upload.id).exists(),
        )
    )
    if fresh != len(ids):
        raise ValidationFailed("照片无效或已被使用，请重新上传", code="photo_invalid")


def _upsert(principal, campaign, household, items, finding) -> CampaignResult:
    # A locking read: under the unit's lock it sees a result another volunteer has just
    # committed (a plain read would see the snapshot taken before the wait).
    result = db.session.scalars(
        select(CampaignResult)
        .where(
            CampaignResult.campaign_id == campaign.id,
            CampaignResult.household_id == household.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if result is None:
        result = CampaignResult(
            campaign_id=campaign.id,
            compound_id=campaign.compound_id,
            unit_id=household.unit_id,
            household_id=household.id,
        )
        db.session.add(result)
    result.items, result.note = items, finding.note or None
    result.needs_action = finding.needs_action or result.issue_id is not None
    result.recorded_by_id, result.recorded_at = principal.id, utcnow()
    db.session.flush()
    return result


def _new_issue(
    campaign: Campaign, household: Household, result: CampaignResult, finding: Finding
) -> reports.NewIssue:
    action = finding.action or {}
    if campaign.type == "vulnerable":
        return _care_issue(campaign, household, action, finding)
    failed = [e for e in result.items if not e["ok"]]
    title = action.get("title") or (failed[0]["item"] if failed else campaign.title)
    lines = [f"{label('campaign_type', campaign.type)}「{campaign.title}」上门发现："]
    lines += [f"✗ {e['item']}" + (f"：{e['note']}" if e["note"] else "") for e in failed]
    if result.note:
        lines.append(f"备注：{result.note}")
    return reports.NewIssue(
        category=action.get("category") or CATEGORY_OF_TYPE[campaign.type],
        title=shorten(title, 30),
        description="\n".join(lines),
        household_id=household.id,
        photos=list(finding.photos),
    )


def _care_issue(
    campaign: Campaign, household: Household, action: dict, finding: Finding
) -> reports.NewIssue:
    """A vulnerable-household finding as an issue: every volunteer of the compound may
    read an issue, so its text names no checklist item or note (独居, 用药...); the
    unit's liaison, the building lead and the committee read those in the sweep."""
    return reports.NewIssue(
        category=action.get("category") or CATEGORY_OF_TYPE[campaign.type],
        title=shorten(action.get("title") or f"{household.label}需要帮助", 30),
        description=f"{label('campaign_type', campaign.type)}上门发现这户需要帮助，"
        "详情请本单元联络人、楼栋长或业委会在排查登记里查看。",
        household_id=household.id,
        photos=list(finding.photos),
    )
