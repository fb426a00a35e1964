"""人员与角色: the compound's role holders with their terms, role invites (made here, the
code and its QR shown to hand over, voided), taking a role away and setting a term.
The API's own services (server/api/people.py).

An invite's code exists only in the answer that made it (only its HMAC is stored): the
desk keeps the codes this browser made in its signed desk cookie for an hour, so the
invite's page and its QR image (the service's PNG) can show them until then."""

from __future__ import annotations

import base64
import time

from flask import Response, redirect, request, session, url_for

from server.api.schemas.governance import RevokeMembershipIn, RoleInviteIn, TermIn
from server.console.blueprint import bp
from server.console.compound_forms import load, optional, unit_choices, whole_number
from server.console.pages import act, compound_code, desk, render
from server.errors import NotFound
from server.labels import label
from server.models.governance import INVITE_ROLES
from server.services.governance import people as people_service
from server.services.governance import role_invites

ISSUED = "role_invite_codes"  # the Flask session's key: [{"id", "code", "at"}]
KEEP_SECONDS = 3600
KEEP_MAX = 10
CHANNELS = {
    "official_account": "能收到（公众号）",
    "subscribe": "能收到（订阅消息）",
    "inbox": "收不到，只能在小程序里看",
    "disabled": "收不到（已关闭）",
}
INVITE_LABELS = {"role": "职务", "unit": "单元", "building": "楼栋", "name": "姓名"}
INVITE_LABELS["term_end"] = "任期结束"
TERM_LABELS = {"term_start": "任期开始", "term_end": "任期结束"}
DESK_PAGE = 100  # people per page at the desk


@bp.get("/people")
def people():
    cursor = request.args.get("cursor", "")
    cursor = cursor if cursor.isdigit() and len(cursor) <= 6 and int(cursor) else None  # page 1
    listed = people_service.list_people(
        desk().principal, compound_code(), cursor=cursor, limit=DESK_PAGE
    )
    first = int(cursor or 0)
    invites = optional(lambda: role_invites.list_open(desk().principal, compound_code()))
    units, buildings = unit_choices(compound_code())
    return render(
        "compound/people.html",
        title="人员与角色",
        nav="desk.people",
        listed=listed,
        invites=invites,
        can_appoint=invites is not None,
        roles=[(r, label("role", r)) for r in INVITE_ROLES],
        units=units,
        buildings=buildings,
        channel=lambda c: CHANNELS.get(c, c),
        shown=(first + 1, first + len(listed.items)),
        first_url=url_for("desk.people") if cursor else None,
        next_url=url_for("desk.people", cursor=listed.next_cursor) if listed.next_cursor else None,
    )


# ----- role invites -----


@bp.post("/people/invites")
def people_invite_create():
    form = request.form
    data = {
        "role": form.get("role"),
        "unit": form.get("unit") if form.get("role") == "liaison" else None,
        "building": whole_number(form.get("building"))
        if form.get("role") == "building_lead"
        else None,
        "name": form.get("name"),
        "term_end": form.get("term_end") if form.get("role") == "committee" else None,
    }

    def create():
        body = load(RoleInviteIn, data, INVITE_LABELS)
        return role_invites.create(desk().principal, compound_code(), body.pop("role"), **body)

    return act(create, "邀请已发出，请把邀请码或二维码交给本人", then=_keep_and_show)


def _keep_and_show(issued) -> Response:
    kept = [i for i in _issued() if i["id"] != issued.id]
    kept.append({"id": issued.id, "code": issued.code, "at": int(time.time())})
    session[ISSUED] = kept[-KEEP_MAX:]
    return redirect(url_for("desk.people_invite", invite_id=issued.id))


def _issued() -> list[dict]:
    now = int(time.time())
    kept = session.get(ISSUED)
    if not isinstance(kept, list):
        return []
    return [i for i in kept if isinstance(i, dict) and now - i.get("at", 0) < KEEP_SECONDS]


def _open_invite(invite_id: int):
    """This compound's invite still waiting to be redeemed, and its code if this browser
    made it within the hour. Raises NotFound (another compound's, used, void)."""
    found = next(
        (i for i in role_invites.list_open(desk().principal, compound_code()) if i.id == invite_id),
        None,
    )
    if found is None:
        raise NotFound("找不到这份任命邀请，可能已被领取或作废", code="invite_not_found")
    code = next((i["code"] for i in _issued() if i["id"] == invite_id), None)
    return found, code


@bp.get("/people/invites/<int:invite_id>")
def people_invite(invite_id: int):
    invite, code = _open_invite(invite_id)
    return render(
        "compound/invite.html", title="任命邀请", nav="desk.people", invite=invite, code=code
    )


@bp.get("/people/invites/<int:invite_id>/qr.png")
def people_invite_qr(invite_id: int):
    _, code = _open_invite(invite_id)
    if code is None:
        raise NotFound("二维码只在发出后一小时内显示；如已遗失，请作废后重新发出")
    uri = role_invites.qr_data_uri(code)
    png = base64.b64decode(uri.removeprefix("data:image/png;base64,"))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/people/invites/<int:invite_id>/revoke")
def people_invite_revoke(invite_id: int):
    def revoke():
        revoked = role_invites.revoke(desk().principal, compound_code(), invite_id)
        session[ISSUED] = [i for i in _issued() if i["id"] != invite_id]
        return revoked

    return act(
        revoke, "邀请已作废，邀请码不能再用", then=lambda _: redirect(url_for("desk.people"))
    )


# ----- a role taken away, a term set -----


@bp.post("/people/<int:membership_id>/revoke")
def people_revoke(membership_id: int):
    reason = {"reason": request.form.get("reason", "")}
    return act(
        lambda: people_service.revoke(
            desk().principal,
            compound_code(),
            membership_id,
            load(RevokeMembershipIn, reason, {"reason": "理由"}).get("reason"),
        ),
        "已免去职务，本人会收到通知",
    )


@bp.post("/people/<int:membership_id>/term")
def people_term(membership_id: int):
    def set_term():
        data = {k: request.form.get(k) for k in TERM_LABELS}
        body = load(TermIn, data, TERM_LABELS)
        return people_service.set_term(
            desk().principal, compound_code(), membership_id, body["term_start"], body["term_end"]
        )

    return act(set_term, "任期已设定")
