"""The outbox's rows as the dispatcher claims and settles them (`outbox` sends).

A batch is claimed with `FOR UPDATE SKIP LOCKED` and marked "sending" in its own
transaction (`claim`), so two dispatchers never take the same row; a claim is
renewed just before its row is sent (`renew`), and rows left "sending" by a
dispatcher that died go back to the queue (`release_stuck`). Outcomes are written
(`outbox_records`) only if the row is still ours, in one transaction with what the
send did to the user's subscription (`Quotas` counts them through the round); a
WeChat outage puts the row back with an exponential backoff (`retry`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.clock import utcnow
from server.extensions import db
from server.models import User
from server.models.messaging import OutboxMessage, SubscriptionQuota

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
SENDING_LEASE = timedelta(minutes=2)
# (status, reason, what it did to the user's subscription: ("spent" | "none_left", template))
Outcome = tuple[str, str | None, tuple[str, str] | None]


@dataclass(frozen=True)
class Claimed:
    """A claimed row as it was read: plain values, so the dispatcher's commits (one or
    two per message) neither expire a whole batch of ORM objects nor reload them."""

    id: int
    user_id: int
    channel: str
    template: str
    payload: dict
    attempts: int
    created_at: datetime


def renew(message: Claimed) -> bool:
    """Extend our claim on a row just before sending it; False if it is no longer ours."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
        .values(locked_until=utcnow() + SENDING_LEASE)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def release_stuck(now: datetime) -> None:
    """Rows left "sending" by a dispatcher that died go back to the queue.

    Found without locking, then changed by primary key: an UPDATE searching the
    status index would lock every row other dispatchers are sending, in the order
    opposite to theirs, and deadlock with them (MariaDB) as they record outcomes.
    """
    stuck = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.status == "sending", OutboxMessage.locked_until < now
        )
    ).all()
    if stuck:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(stuck),
                OutboxMessage.status == "sending",
                OutboxMessage.locked_until < now,
            )
            .values(status="pending", locked_until=None)
        )
    db.session.commit()


def claim(batch: int, now: datetime) -> list[tuple[Claimed, str, str | None]]:
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            status="sending",
            locked_until=now + SENDING_LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    db.session.commit()
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.user_id,
            OutboxMessage.channel,
            OutboxMessage.template,
            OutboxMessage.payload,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
            User.openid,
            User.oa_openid,
        )
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    return [(Claimed(*row[:7]), row.openid, row.oa_openid) for row in rows]


def unclaim(messages: list[Claimed]) -> None:
    if messages:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]))
            .values(status="pending", locked_until=None, attempts=OutboxMessage.attempts - 1)
        )


def retry(message: Claimed, now: datetime, reason: str) -> None:
    """Back off: 15 s after the first failed attempt, doubling up to an hour."""
    delay = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS)) - 1]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
        .values(
            status="pending",
            locked_until=None,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=reason,
        )
    )


# ----- subscription quotas -----


class Quotas:
    """The subscriptions of a round's recipients, read in one statement when the round
    begins and kept up to date as its sends spend them (one recipient's messages go on
    one lane, in order). A recipient who has none left is asked again before a message
    is skipped: they may have allowed more meanwhile."""

    def __init__(self, user_ids: list[int]):
        self.remaining: dict[tuple[int, str], int] = {}
        self.counted: set[tuple[int, str]] = set()  # changed by this round: known exactly
        if user_ids:
            rows = db.session.execute(
                select(
                    SubscriptionQuota.user_id,
                    SubscriptionQuota.template_id,
                    SubscriptionQuota.remaining,
                ).where(SubscriptionQuota.user_id.in_(set(user_ids)))
            )
            self.remaining = {(user, template): left for user, template, left in rows}
            db.session.commit()

    def left(self, user_id: int, template_id: str) -> bool:
        if self.remaining.get((user_id, template_id), 0) > 0:
            return True
        if (user_id, template_id) in self.counted:
            return False  # spent or found used up by this round's sends
        left = quota_left(user_id, template_id)  # none of ours unwritten: exact
        # End the read whatever comes of it: on SQLite a transaction holds the write
        # lock, which the round's recorder thread needs while this thread waits for it.
        db.session.commit()
        self.remaining[(user_id, template_id)] = left
        return left > 0

    def changed(self, user_id: int, change: tuple[str, str] | None) -> None:
        """What a send did to the recipient's subscription (written by outbox_records)."""
        if change is None:
            return
        what, template_id = change
        key = (user_id, template_id)
        self.counted.add(key)
        self.remaining[key] = self.remaining.get(key, 0) - 1 if what == "spent" else 0


def quota_left(user_id: int, template_id: str) -> int:
    remaining = db.session.scalar(
        select(SubscriptionQuota.remaining).where(
            SubscriptionQuota.user_id == user_id, SubscriptionQuota.template_id == template_id
        )
    )
    return max(remaining or 0, 0)
