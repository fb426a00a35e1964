"""GET /me: who am I, my roles, my households; my binding requests."""

from apiflask import APIBlueprint

from server.api.schemas.issues import TaskListOut
from server.api.schemas.liaisons import MyLiaisonsOut, SharedPhoneIn, SharedPhoneOut
from server.api.schemas.messaging import (
    InboxOut,
    InboxQuery,
    MarkReadIn,
    MarkReadOut,
    SubscriptionsIn,
    SubscriptionsOut,
)
from server.api.schemas.people import BindingListOut, UserOut
from server.api.schemas.reach import PushStatusOut
from server.api.security import auth, principal
from server.services.care import tasks as care_tasks
from server.services.messaging import inbox, reachability
from server.services.people import bindings, liaisons, users
from server.services.platform.compound_admin import masked_phone

bp = APIBlueprint("me", __name__, url_prefix="/api/v1/me", tag="Me")


@bp.get("")
@bp.auth_required(auth)
@bp.output(UserOut)
@bp.doc(summary="The signed-in user with roles and households")
def me():
    return users.describe(principal())


@bp.get("/bindings")
@bp.auth_required(auth)
@bp.output(BindingListOut)
@bp.doc(summary="My binding requests, newest first")
def my_bindings():
    return {"items": bindings.list_mine(principal())}


@bp.get("/notifications")
@bp.auth_required(auth)
@bp.input(InboxQuery, location="query", arg_name="query")
@bp.output(InboxOut)
@bp.doc(summary="My in-app inbox, newest first, with the unread count")
def my_notifications(query):
    return inbox.notifications(principal(), before=query.get("before"), limit=query["limit"])


@bp.post("/notifications/read")
@bp.auth_required(auth)
@bp.input(MarkReadIn, arg_name="body")
@bp.output(MarkReadOut)
@bp.doc(summary="Mark notifications read (all when ids is null)")
def mark_read(body):
    return {"marked": inbox.mark_read(principal(), body.get("ids"))}


@bp.post("/subscriptions")
@bp.auth_required(auth)
@bp.input(SubscriptionsIn, arg_name="body")
@bp.output(SubscriptionsOut)
@bp.doc(
    summary="Templates I accepted in wx.requestSubscribeMessage (one send each); "
    "how I am reached now"
)
def subscriptions(body):
    return reachability.record_subscriptions(principal(), body["accepted"])


@bp.get("/subscriptions")
@bp.auth_required(auth)
@bp.output(PushStatusOut)
@bp.doc(summary="How each message reaches me: official account, subscribe (sends left) or inbox")
def my_subscriptions():
    return reachability.push_status(principal())


@bp.get("/tasks")
@bp.auth_required(auth)
@bp.output(TaskListOut)
@bp.doc(
    summary="My tasks (liaison, building lead, committee): care visits due that fall to me "
    "(overdue ones first) and return visits I am to make in person"
)
def my_tasks():
    return {"items": care_tasks.tasks_for(principal())}


@bp.get("/liaisons")
@bp.auth_required(auth)
@bp.output(MyLiaisonsOut)
@bp.doc(
    summary="我的联络人: for each of my households, its unit's liaisons (else the "
    "building's leads, else a note to ask the committee); a number only when shared"
)
def my_liaisons():
    return {"items": liaisons.my_liaisons(principal())}


@bp.put("/shared-phone")
@bp.auth_required(auth)
@bp.input(SharedPhoneIn, arg_name="body")
@bp.output(SharedPhoneOut)
@bp.doc(
    summary="Share my mobile number with the residents I serve, or stop (null) "
    "(liaison, building lead, committee)",
    responses={400: "bad_phone", 403: "volunteers_only"},
)
def set_shared_phone(body):
    phone = liaisons.set_shared_phone(principal(), body["phone"])
    return {"phone": phone, "phone_masked": masked_phone(phone)}
