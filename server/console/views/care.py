"""住户信息, 入户走访, 关怀回访: the census coverage and its export, the screening sweeps
and the care visits, through the same services as /api/v1/compounds/<code>/census,
/campaigns and /care (each checks who may; the sensitive reads write the access log)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import redirect, request, url_for

from server.api.downloads import xlsx_download
from server.api.schemas.campaigns import CampaignIn
from server.api.schemas.care import CadencesIn
from server.console.blueprint import bp
from server.console.pages import act, desk, render
from server.console.views.proposals import loaded
from server.errors import NotFound, ValidationFailed
from server.services.campaigns import progress, register, starting, templates
from server.services.care import queue, settings
from server.services.care import visits as care_visits
from server.services.care.schedule import today
from server.services.census import access as census_access
from server.services.census import census_export
from server.services.census import coverage as census_coverage

CAMPAIGN_NOT_FOUND = "找不到这次排查"


@bp.get("/coverage")
def coverage():
    shown = census_coverage.coverage(desk().principal, desk().compound.code)
    units = [u for b in shown["buildings"] for u in b["units"]]
    chart = {
        "type": "bar",
        "stacked": True,
        "categories": [f"{u['unit']}单元" for u in units],
        "series": [
            {"name": "一年内已核实", "data": [u["confirmed"] for u in units]},
            {"name": "待核实", "data": [u["stale"] for u in units]},
        ],
        "unit": "户",
    }
    return render("care/coverage.html", title="住户信息", nav="desk.coverage", c=shown, chart=chart)


@bp.get("/coverage/export.xlsx")
def coverage_export():
    sensitive = request.args.get("sensitive") == "1"
    reason = (request.args.get("reason") or "").strip()[:80] or None
    if sensitive and not reason:
        raise ValidationFailed("导出电话和关爱标签，请写明用途")
    data, filename = census_export.export(desk().principal, desk().compound.code, sensitive, reason)
    return xlsx_download(data, filename)


@bp.get("/campaigns")
def campaigns():
    views = progress.list_for(desk().principal, desk().compound.code)
    return render(
        "care/campaigns.html",
        title="入户走访",
        nav="desk.campaigns",
        items=views,
        kinds=templates.all_templates(),
        committee=bool(desk().principal.committee_of(desk().compound.id)),
        due_default=(today() + timedelta(days=14)).isoformat(),
    )


@bp.post("/campaigns")
def campaign_start():
    def work():
        checklist = [
            line.strip() for line in request.form.get("checklist", "").splitlines() if line.strip()
        ]
        fields = {
            "type": request.form.get("type", ""),
            "title": request.form.get("title", ""),
            "scope": _scope(request.form.get("scope", "")),
            "due_on": request.form.get("due_on", ""),
            **({"checklist": checklist} if checklist else {}),
        }
        draft = starting.Draft(**loaded(CampaignIn(), fields))
        return starting.start(desk().principal, desk().compound.code, draft)

    return act(
        work,
        "排查已发起，范围内的联络人和楼栋长会收到通知",
        then=lambda made: redirect(url_for("desk.campaign", campaign_id=made.id)),
    )


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    view = _ours(campaign_id)
    unit_id = request.args.get("unit", type=int)
    households = None
    if unit_id is not None:
        households = progress.households(desk().principal, campaign_id, unit_id)
    return render(
        "care/campaign.html",
        title=view.campaign.title,
        nav="desk.campaigns",
        v=view,
        unit_id=unit_id,
        unit_label=next((u.unit for u in view.units if u.unit_id == unit_id), ""),
        households=households,
    )


@bp.post("/campaigns/<int:campaign_id>/close")
def campaign_close(campaign_id: int):
    def work():
        _ours(campaign_id)
        return starting.close(desk().principal, campaign_id)

    return act(work, "排查已结束，不能再记录")


@bp.get("/campaigns/<int:campaign_id>/export.xlsx")
def campaign_export(campaign_id: int):
    _ours(campaign_id)
    data, filename = register.export_xlsx(desk().principal, campaign_id)
    return xlsx_download(data, filename)


@bp.get("/visits")
def visits():
    principal, compound = desk().principal, desk().compound
    cadences = settings.cadences_for(principal, compound.code)
    shown = queue.compound_queue(principal, compound.id)
    items = shown["items"]
    return render(
        "care/visits.html",
        title="关怀回访",
        nav="desk.visits",
        items=items,
        more=shown["more"],
        overdue=sum(1 for i in items if i["overdue"]),
        escalated=sum(1 for i in items if i["escalation_level"] >= 2),
        cadences=cadences,
        committee=bool(principal.committee_of(compound.id)),
    )


@bp.get("/visits/households/<int:household_id>")
def visits_household(household_id: int):
    """One household's care visits (the API's GET /households/<id>/visits; logged)."""
    if census_access.household_for(desk().principal, household_id).compound_id != (
        desk().compound.id
    ):
        raise NotFound("找不到这户", code="household_not_found")
    shown = care_visits.history(desk().principal, household_id)
    return render(
        "care/household_visits.html",
        title=f"{shown['household']['label']} 的关爱走访",
        nav="desk.visits",
        h=shown,
    )


@bp.post("/visits/cadences")
def visits_cadences():
    def work():
        items = []
        for cadence in settings.cadences_for(desk().principal, desk().compound.code):
            raw = (request.form.get(f"every_{cadence.tag}") or "").strip()
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):  # not "²", not 5000 digits
                raise ValidationFailed(f"「{cadence.tag_label}」请填写 0 到 365 之间的天数")
            items.append({"tag": cadence.tag, "every_days": int(raw)})
        body = loaded(CadencesIn(), {"items": items})
        return settings.set_cadences(desk().principal, desk().compound.code, body["items"])

    return act(
        work,
        "走访频次已保存，待走访的日期已按新频次调整",
        then=lambda _saved: redirect(url_for("desk.visits")),
    )


def _ours(campaign_id: int) -> progress.CampaignView:
    """The sweep if it is of the desk's compound (a member of several sees one at a time)."""
    view = progress.detail(desk().principal, campaign_id)
    if view.campaign.compound_id != desk().compound.id:
        raise NotFound(CAMPAIGN_NOT_FOUND, code="campaign_not_found")
    return view


def _scope(text: str):
    """The form's scope ("" or 全小区: every unit; else building numbers and "1-2" units,
    separated by commas or spaces) as the API takes it; the service checks they exist."""
    words = [w for w in re.split(r"[\s,，、;；]+", text.strip()) if w]
    if not words or words == ["全小区"]:
        return "compound"
    buildings, units = [], []
    for word in words:
        word = word.removesuffix("单元").replace("号楼", "-").replace("栋", "-").strip("-")
        if word.isascii() and word.isdigit() and len(word) <= 4:  # not "²", not 5000 digits
            buildings.append(int(word))
        elif re.fullmatch(r"\d{1,3}-\d{1,2}", word):
            units.append(word)
        else:
            raise ValidationFailed(f"看不懂范围里的「{word}」：楼写 1，单元写 1-2")
    return {"buildings": buildings, "units": units}
