"""The in-app inbox and the subscribe-message quotas a user grants from the client."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.models.messaging import Notification, SubscriptionQuota
from server.services.people.access import Principal

PAGE_MAX = 50
QUOTA_CAP = 50  # WeChat never grants more than one per tap; cap stray clients


@dataclass(frozen=True)
class Inbox:
    items: list[Notification]
    unread: int
    next_before: int | None


def notifications(principal: Principal, *, before: int | None = None, limit: int = 20) -> Inbox:
    """The caller's inbox, newest first, with the unread count."""
    limit = max(1, min(limit, PAGE_MAX))
    query = select(Notification).where(Notification.user_id == principal.id)
    if before is not None:
        query = query.where(Notification.id < before)
    items = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    unread = db.session.scalar(
        select(func.count()).where(
            Notification.user_id == principal.id, Notification.read_at.is_(None)
        )
    )
    more = len(items) > limit
    items = items[:limit]
    return Inbox(items, unread or 0, items[-1].id if more else None)


def mark_read(principal: Principal, ids: list[int] | None) -> int:
    """Mark the caller's notifications read (all of them when `ids` is None)."""
    query = update(Notification).where(
        Notification.user_id == principal.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    count = db.session.execute(query.values(read_at=utcnow())).rowcount
    db.session.commit()
    return count


def record_subscriptions(principal: Principal, accepted: list[str]) -> dict[str, int]:
    """One more send for each template the user accepted in wx.requestSubscribeMessage.

    Raises ValidationFailed for a template id this service does not use.
    """
    known = set(current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"].values())
    unknown = [t for t in accepted if t not in known]
    if unknown:
        raise ValidationFailed("未知的订阅消息模板", code="unknown_template", details=unknown)
    for template_id in dict.fromkeys(accepted):
        _grant_one(principal.id, template_id)
    db.session.commit()
    return quotas(principal)


def _grant_one(user_id: int, template_id: str) -> None:
    bumped = db.session.execute(
        update(SubscriptionQuota)
        .where(
            SubscriptionQuota.user_id == user_id,
            SubscriptionQuota.template_id == template_id,
            SubscriptionQuota.remaining < QUOTA_CAP,
        )
        .values(remaining=SubscriptionQuota.remaining + 1, updated_at=utcnow())
    ).rowcount
    exists = bumped or db.session.scalar(
        select(SubscriptionQuota.id).where(
            SubscriptionQuota.user_id == user_id, SubscriptionQuota.template_id == template_id
        )
    )
    if exists:
        return
    try:
        with db.session.begin_nested():
            db.session.add(SubscriptionQuota(user_id=user_id, template_id=template_id, remaining=1))
    except IntegrityError:  # the same tap reported twice at once
        pass


def quotas(principal: Principal) -> dict[str, int]:
    """Remaining sends per template id."""
    rows = db.session.execute(
        select(SubscriptionQuota.template_id, SubscriptionQuota.remaining).where(
            SubscriptionQuota.user_id == principal.id
        )
    )
    return {key: value for key, value in rows}
