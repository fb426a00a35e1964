"""The notice board (公示栏): the committee's announcements, who has not opened them,
and the board every member of the compound reads."""

from apiflask import APIBlueprint

from server.api.schemas.board import (
    AnnouncementIn,
    AnnouncementListOut,
    AnnouncementOut,
    AnnouncementQuery,
    BoardOut,
    UnreadOut,
)
from server.api.security import auth, principal
from server.clock import utcnow
from server.models import Announcement
from server.services.board import announcements, reads
from server.services.board import board as board_service
from server.services.messaging.messages import shorten
from server.services.photos import attachments

bp = APIBlueprint("board", __name__, url_prefix="/api/v1", tag="Notice board")

CODE = "/compounds/<string(maxlength=32):code>"
ID = "/announcements/<int:announcement_id>"
ARCHIVED = {409: "compound_archived"}


def _items(rows: list[Announcement], read_ids: set[int]) -> list[dict]:
    labels = announcements.audience_labels(rows)
    now = utcnow()
    return [
        {
            "id": a.id,
            "title": a.title,
            "urgent": a.urgent,
            "audience": a.audience,
            "audience_label": labels[a.id],
            "pinned": a.pinned_until is not None and a.pinned_until > now,
            "pinned_until": a.pinned_until,
            "created_at": a.created_at,
            "read": a.id in read_ids,
            "withdrawn": a.withdrawn_at is not None,
            "excerpt": shorten(a.body, 60),
        }
        for a in rows
    ]


def _one(announcement: Announcement, read: bool) -> dict:
    (item,) = _items([announcement], {announcement.id} if read else set())
    photos = attachments.of(announcements.PHOTO_KIND, [announcement.id])[announcement.id]
    return {
        **item,
        "body": announcement.body,
        "photos": photos,
        "withdrawn_at": announcement.withdrawn_at,
        "actions": announcements.actions(principal(), announcement),
    }


@bp.post(f"{CODE}/announcements")
@bp.auth_required(auth)
@bp.input(AnnouncementIn, arg_name="body")
@bp.output(AnnouncementOut, status_code=201)
@bp.doc(
    summary="Publish an announcement (committee); urgent ones are pushed to every household "
    "of the audience, every one lands in their inboxes",
    responses={
        400: "building_required, unit_required, bad_unit_path, bad_pinned_until, "
        "photo_invalid or too_many_photos",
        403: "committee_only",
        404: "compound_not_found, building_not_found or unit_not_found",
        **ARCHIVED,
    },
)
def publish(code, body):
    draft = announcements.Draft(**body)
    return _one(announcements.publish(principal(), code, draft), read=False)


@bp.get(f"{CODE}/announcements")
@bp.auth_required(auth)
@bp.input(AnnouncementQuery, location="query", arg_name="query")
@bp.output(AnnouncementListOut)
@bp.doc(
    summary="The announcements for me, newest first (members of the compound; volunteers "
    "see all); `next_cursor` fetches the next page",
    responses={400: "bad_cursor", 404: "compound_not_found"},
)
def list_announcements(code, query):
    rows, read_ids, next_cursor = announcements.list_for(
        principal(), code, query.get("cursor"), query["limit"]
    )
    return {"items": _items(rows, read_ids), "next_cursor": next_cursor}


@bp.get(ID)
@bp.auth_required(auth)
@bp.output(AnnouncementOut)
@bp.doc(
    summary="One announcement, marked read for me",
    responses={404: "announcement_not_found"},
)
def get_announcement(announcement_id):
    return _one(announcements.open_one(principal(), announcement_id), read=True)


@bp.post(f"{ID}/withdraw")
@bp.auth_required(auth)
@bp.output(AnnouncementOut)
@bp.doc(
    summary="Withdraw an announcement: it vanishes from the board (committee)",
    responses={403: "committee_only", 404: "announcement_not_found", **ARCHIVED},
)
def withdraw(announcement_id):
    return _one(announcements.withdraw(principal(), announcement_id), read=False)


@bp.get(f"{ID}/unread-households")
@bp.auth_required(auth)
@bp.output(UnreadOut)
@bp.doc(
    summary="Households of the audience where nobody has opened it, and whether anyone "
    "there uses the app (liaison: my units; committee: every unit); access-logged",
    responses={403: "not_a_liaison", 404: "announcement_not_found"},
)
def unread_households(announcement_id):
    ann_id, units = reads.unread_households(principal(), announcement_id)
    unread = [h for u in units for h in u.households]
    return {
        "announcement_id": ann_id,
        "unread": len(unread),
        "no_app": sum(not h.uses_app for h in unread),
        "units": [
            {
                "label": u.label,
                "households_total": u.households_total,
                "unread": len(u.households),
                "households": [vars(h) for h in u.households],
            }
            for u in units
        ],
    }


@bp.get(f"{CODE}/board")
@bp.auth_required(auth)
@bp.output(BoardOut)
@bp.doc(
    summary="The notice board: announcements for me, the latest disclosure, fund balances, "
    "this month's collection rate and matters resolved (counts only, no names) (members)",
    responses={404: "compound_not_found"},
)
def board(code):
    found = board_service.read(principal(), code)
    return {
        "announcements": _items(found.announcements, found.read_ids),
        "latest_disclosure": found.latest_disclosure,
        "funds": [vars(f) for f in found.funds],
        "collection_rate": found.collection_rate,
        "resolved_this_month": found.resolved_this_month,
        "resolved_total": sum(r["count"] for r in found.resolved_this_month),
        "proposals": found.proposals,
    }
