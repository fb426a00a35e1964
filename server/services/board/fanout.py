"""Who hears of a new announcement, in a few statements however big the compound: an
inbox line for every person bound to a household of the audience, and for an urgent
one a push to each of them holding a subscribe send for the notice template.

The cost per household is the inserted rows only: one query finds the people, one
their quotas, one statement writes every inbox line and one every push.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import insert, select

from server.clock import utcnow
from server.database.engine import insert_ignore
from server.extensions import db
from server.models import Household, Membership, SubscriptionQuota, User
from server.models.board import Announcement
from server.models.messaging import Notification, OutboxMessage
from server.services.messaging.messages import shorten, wx_time

# The subscribe template notices go out with (its keys: thing1, thing2, time3).
TEMPLATE = "reminder"


def audience_households(announcement: Announcement):
    """The ids of the households an announcement is for, as a subquery."""
    query = select(Household.id).where(Household.compound_id == announcement.compound_id)
    if announcement.audience == "building":
        query = query.where(Household.building_id == announcement.building_id)
    elif announcement.audience == "unit":
        query = query.where(Household.unit_id == announcement.unit_id)
    return query


def recipients(announcement: Announcement) -> list[int]:
    """Every active person bound to a household of the audience (one query)."""
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.role == "resident",
                Membership.household_id.in_(audience_households(announcement)),
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(Membership.user_id)
        )
    )


def _with_quota(user_ids: list[int]) -> set[int]:
    template_id = current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"].get(TEMPLATE)
    if not template_id or not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(SubscriptionQuota.user_id).where(
                SubscriptionQuota.user_id.in_(user_ids),
                SubscriptionQuota.template_id == template_id,
                SubscriptionQuota.remaining > 0,
            )
        )
    )


def fan_out(announcement: Announcement) -> tuple[int, int]:
    """Write the inbox lines (and the pushes of an urgent one) in the caller's
    transaction; the author is not told of their own notice. Returns (inbox lines,
    pushes queued)."""
    people = [uid for uid in recipients(announcement) if uid != announcement.created_by_id]
    if not people:
        return 0, 0
    now = utcnow()
    title = ("紧急通知：" if announcement.urgent else "公告：") + shorten(announcement.title, 50)
    page = f"pages/notice/index?id={announcement.id}"
    key = f"ann{announcement.id}"
    inbox = insert_ignore(
        db.session.connection(),
        Notification.__table__,
        [
            {
                "dedupe_key": f"{key}:u{uid}",
                "user_id": uid,
                "compound_id": announcement.compound_id,
                "kind": "urgent_notice" if announcement.urgent else "notice",
                "title": title[:60],
                "body": shorten(announcement.body, 200),
                "page": page,
                "issue_id": None,
                "created_at": now,
            }
            for uid in people
        ],
    )
    if not announcement.urgent:
        return inbox, 0
    holders = _with_quota(people)
    pushed = [uid for uid in people if uid in holders]
    if pushed:
        data = {
            "thing1": shorten(announcement.title),
            "thing2": shorten(announcement.body),
            "time3": wx_time(now),
        }
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "dedupe_key": f"{key}:u{uid}:subscribe",
                    "compound_id": announcement.compound_id,
                    "user_id": uid,
                    "channel": "subscribe",
                    "template": TEMPLATE,
                    "payload": {"data": data, "page": page},
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for uid in pushed
            ],
        )
    return inbox, len(pushed)
