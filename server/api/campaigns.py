"""Screening sweeps (点单式排查): the committee starts one over a scope, volunteers take
its checklist door to door, findings that need action open issues, the register is
exported."""

from apiflask import APIBlueprint

from server.api.downloads import XLSX_RESPONSE, xlsx_download
from server.api.schemas.campaigns import (
    CampaignHouseholdListOut,
    CampaignIn,
    CampaignListOut,
    CampaignOut,
    CampaignRecordedOut,
    CampaignResultIn,
    CampaignTemplateListOut,
    CampaignUnitQuery,
)
from server.api.security import auth, principal
from server.labels import label
from server.services.campaigns import progress, register, results, starting, templates

bp = APIBlueprint("campaigns", __name__, url_prefix="/api/v1", tag="Screening sweeps")

CODE = "/compounds/<string(maxlength=32):code>"
ID = "/campaigns/<int:campaign_id>"
READ = {403: "campaign_forbidden", 404: "campaign_not_found"}


def _item(view: progress.CampaignView) -> dict:
    campaign = view.campaign
    scope, scope_label = view.scope
    return {
        "id": campaign.id,
        "type": campaign.type,
        "type_label": label("campaign_type", campaign.type),
        "title": campaign.title,
        "scope": scope,
        "scope_label": scope_label,
        "due_on": campaign.due_on,
        "status": campaign.status,
        "status_label": label("campaign_status", campaign.status),
        "overdue": any(u.overdue for u in view.units),
        "progress": view.progress,
        "created_at": campaign.created_at,
        "closed_at": campaign.closed_at,
    }


def _one(view: progress.CampaignView) -> dict:
    return {
        **_item(view),
        "checklist": view.campaign.checklist,
        "units": [vars(u) for u in view.units],
        "may": view.may,
    }


@bp.get("/campaign-templates")
@bp.auth_required(auth)
@bp.output(CampaignTemplateListOut)
@bp.doc(summary="The checklist templates of the three sweep types")
def list_templates():
    return {"items": templates.all_templates()}


@bp.post(f"{CODE}/campaigns")
@bp.auth_required(auth)
@bp.input(CampaignIn, arg_name="body")
@bp.output(CampaignOut, status_code=201)
@bp.doc(
    summary="Start a sweep (committee): type, checklist, scope and due day; the liaisons "
    "and building leads of the scope are told",
    responses={
        400: "bad_scope, bad_due_on, duplicate_item or validation_error",
        403: "committee_only",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def start(code, body):
    campaign = starting.start(principal(), code, starting.Draft(**body))
    return _one(progress.detail(principal(), campaign.id))


@bp.get(f"{CODE}/campaigns")
@bp.auth_required(auth)
@bp.output(CampaignListOut)
@bp.doc(
    summary="The sweeps over my units, open first, with progress (liaison, building lead, "
    "committee)",
    responses={403: "volunteers_only", 404: "compound_not_found"},
)
def list_campaigns(code):
    return {"items": [_item(view) for view in progress.list_for(principal(), code)]}


@bp.get(ID)
@bp.auth_required(auth)
@bp.output(CampaignOut)
@bp.doc(
    summary="One sweep with the progress of my units (liaison, building lead; committee: "
    "all units)",
    responses=READ,
)
def get_campaign(campaign_id):
    return _one(progress.detail(principal(), campaign_id))


@bp.get(f"{ID}/households")
@bp.auth_required(auth)
@bp.input(CampaignUnitQuery, location="query", arg_name="query")
@bp.output(CampaignHouseholdListOut)
@bp.doc(
    summary="A unit's households with their results: the door-to-door list (the unit's "
    "liaison, building lead, committee)",
    responses={403: "campaign_forbidden", 404: "campaign_not_found or unit_not_found"},
)
def list_households(campaign_id, query):
    return {"items": progress.households(principal(), campaign_id, query["unit_id"])}


@bp.post(f"{ID}/results")
@bp.auth_required(auth)
@bp.input(CampaignResultIn, arg_name="body")
@bp.output(CampaignRecordedOut, status_code=201)
@bp.doc(
    summary="Record what was found at a household (the unit's liaison, building lead, "
    "committee); needs_action opens an issue for it; recording again updates it",
    responses={
        400: "household_not_in_scope, unknown_item, duplicate_item, photo_invalid, "
        "too_many_photos or validation_error",
        403: "not_your_unit or campaign_forbidden",
        404: "campaign_not_found or household_not_found",
        409: "campaign_closed or compound_archived",
    },
)
def record(campaign_id, body):
    result = results.record(principal(), campaign_id, results.Finding(**body))
    shown = progress.result_views([result])[result.household_id]
    return {"result": shown, "issue_id": result.issue_id}


@bp.post(f"{ID}/close")
@bp.auth_required(auth)
@bp.output(CampaignOut)
@bp.doc(
    summary="Close a sweep: nothing more is recorded (committee)",
    responses={
        403: "committee_only",
        404: "campaign_not_found",
        409: "campaign_closed or compound_archived",
    },
)
def close(campaign_id):
    starting.close(principal(), campaign_id)
    return _one(progress.detail(principal(), campaign_id))


@bp.get(f"{ID}/export")
@bp.auth_required(auth)
@bp.doc(
    summary="The sweep's register (台账) as Excel: a row per household of my units "
    "(liaison, building lead; committee: all), no census personal data",
    responses={200: XLSX_RESPONSE, **READ},
)
def export(campaign_id):
    data, filename = register.export_xlsx(principal(), campaign_id)
    return xlsx_download(data, filename)
