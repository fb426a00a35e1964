"""Who hears about what, and through which channel.

Everything is written in the caller's transaction: an inbox line for every
recipient, and an outbox row for every push (sent later by the dispatcher). The
outbox row's key is (occasion, recipient, channel), so an occasion — an issue
event, a month's fee reminder — cannot push twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, or_, select

from server.clock import utcnow
from server.database.engine import insert_ignore
from server.extensions import db
from server.models import Membership, User
from server.models.issue import Issue, IssueEvent
from server.models.messaging import Notification, OutboxMessage
from server.services.messaging import messages
from server.services.messaging.messages import Message


@dataclass(frozen=True)
class Occasion:
    """What a message is about: a key unique to it, its compound, its issue if any."""

    key: str
    compound_id: int | None
    issue_id: int | None = None

    @classmethod
    def of_event(cls, event: IssueEvent) -> Occasion:
        return cls(f"e{event.id}", event.compound_id, event.issue_id)


def deliver(
    message: Message,
    user_ids: Iterable[int | None],
    occasion: Occasion | IssueEvent,
    *,
    volunteers: bool = False,
    inbox_only: bool = False,
) -> list[int]:
    """Put `message` in each recipient's inbox and queue its push, once per occasion and
    recipient (delivering the same occasion again adds nothing). Returns who got it.

    Volunteers get official-account template messages when an official account is
    configured and linked to them; everyone else gets mini-program subscribe messages.
    """
    recipients = list(dict.fromkeys(uid for uid in user_ids if uid is not None))
    if not recipients:
        return []
    if isinstance(occasion, IssueEvent):
        occasion = Occasion.of_event(occasion)
    oa_openids = _oa_openids(recipients) if volunteers and oa_enabled(message.template) else {}
    delivered = []
    for user_id in recipients:
        if not _to_inbox(message, occasion, user_id):
            continue  # this occasion already reached them
        delivered.append(user_id)
        channel = "template" if oa_openids.get(user_id) else "subscribe"
        if inbox_only or (
            channel == "subscribe" and message.template not in _subscribe_templates()
        ):
            continue  # the inbox is all there is
        db.session.add(
            OutboxMessage(
                dedupe_key=f"{occasion.key}:u{user_id}:{channel}"[:120],
                compound_id=occasion.compound_id,
                user_id=user_id,
                channel=channel,
                template=message.template,
                payload={"data": message.data, "page": message.page},
            )
        )
    return delivered


def _to_inbox(message: Message, occasion: Occasion, user_id: int) -> bool:
    """Add the inbox line; False if this occasion already put one there. One
    statement (no savepoint): an insert that skips a dedupe key already there."""
    added = insert_ignore(
        db.session.connection(),
        Notification.__table__,
        [
            {
                "dedupe_key": f"{occasion.key}:u{user_id}"[:120],
                "user_id": user_id,
                "compound_id": occasion.compound_id,
                "kind": message.kind,
                "title": message.title[:60],
                "body": message.body[:500],
                "page": message.page,
                "issue_id": occasion.issue_id,
                "created_at": utcnow(),
            }
        ],
    )
    return added == 1


def _subscribe_templates() -> dict:
    return current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"]


def oa_enabled(template: str) -> bool:
    """Is `template` sent to linked volunteers as an official-account template message?"""
    config = current_app.config
    return bool(config["WECHAT_OA_APPID"]) and template in config["WECHAT_OA_TEMPLATES"]


def _oa_openids(user_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(User.id, User.oa_openid).where(User.id.in_(user_ids), User.oa_openid.is_not(None))
    )
    return {row.id: row.oa_openid for row in rows}


# ----- recipients -----


def new_issue_volunteers(issue: Issue) -> list[int]:
    """Who is pushed a new issue: the liaisons of its unit (or building) and the committee."""
    scope = [and_(Membership.role == "committee", Membership.compound_id == issue.compound_id)]
    if issue.unit_id is not None:
        scope.append(and_(Membership.role == "liaison", Membership.unit_id == issue.unit_id))
    elif issue.building_id is not None:
        scope.append(
            and_(Membership.role == "liaison", Membership.building_id == issue.building_id)
        )
    return _members(or_(*scope))


def building_leads(issue: Issue) -> list[int]:
    if issue.building_id is None:
        return []
    return _members(
        and_(Membership.role == "building_lead", Membership.building_id == issue.building_id)
    )


def committee(issue: Issue) -> list[int]:
    return _members(
        and_(Membership.role == "committee", Membership.compound_id == issue.compound_id)
    )


def compound_members(compound_id: int, *roles: str) -> list[int]:
    """Users holding any of `roles` in a compound (e.g. its committee and supervisor)."""
    return _members(and_(Membership.role.in_(roles), Membership.compound_id == compound_id))


def unit_liaisons(issue: Issue) -> list[int]:
    if issue.unit_id is not None:
        return _members(and_(Membership.role == "liaison", Membership.unit_id == issue.unit_id))
    if issue.building_id is not None:
        return _members(
            and_(Membership.role == "liaison", Membership.building_id == issue.building_id)
        )
    return []


def _members(condition) -> list[int]:
    return list(
        db.session.scalars(select(Membership.user_id).where(condition).order_by(Membership.user_id))
    )


def reporter_side(issue: Issue) -> list[int]:
    """Who hears how the issue goes: the reporter, or the liaison who filed it for them."""
    return [issue.reporter_id if issue.reporter_id is not None else issue.filed_by_id]


# ----- per event -----


def on_event(issue: Issue, event: IssueEvent, *, location: str) -> None:
    """Queue what an event tells whom (the actor never notifies themself)."""
    actor = event.actor_id

    def others(ids):
        return [uid for uid in ids if uid != actor]

    action = event.action
    if action == "submit":
        deliver(
            messages.new_issue(issue, location),
            others(new_issue_volunteers(issue)),
            event,
            volunteers=True,
        )
    elif action in {
        "accept",
        "refer",
        "resolve",
        "reject",
        "mark_duplicate",
        "auto_close",
    }:
        deliver(messages.status_changed(issue, event), others(reporter_side(issue)), event)
    elif action in {"confirm", "reopen", "return_visit_reopen"}:
        what = {
            "confirm": "报事人已确认完成",
            "reopen": "报事人认为未解决，已重新打开",
            "return_visit_reopen": "回访发现仍未解决，已重新打开",
        }[action]
        targets = [issue.handler_id] if issue.handler_id else unit_liaisons(issue)
        deliver(
            messages.reminder(issue, what, event.created_at, kind=action),
            others(targets),
            event,
            volunteers=True,
        )
    elif action == "escalate":
        level = (event.data or {}).get("level", 1)
        targets = building_leads(issue) if level == 1 else committee(issue)
        what = "事项已超时，请督办" if level == 1 else "事项超时未办，已上报业委会"
        deliver(
            messages.reminder(issue, what, event.created_at, kind="escalation"),
            targets or committee(issue),
            event,
            volunteers=True,
        )
    elif action == "follow_up":
        body = issue.referral_body or "相关单位"
        targets = [issue.handler_id] if issue.handler_id else unit_liaisons(issue)
        deliver(
            messages.reminder(issue, f"请跟进{body}的办理进度", event.created_at, kind="follow_up"),
            targets,
            event,
            volunteers=True,
        )
