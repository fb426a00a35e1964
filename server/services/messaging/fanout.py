"""Telling many people at once, in a few statements however big the compound: an
inbox line for each person, and a push to each of them holding a subscribe send for
the notice template when the news is pressing.

The cost per person is the inserted rows only: one query finds the people, one their
quotas, one statement writes every inbox line and one every push (returning their ids:
each queued push gets its INFO line, as a push queued alone does).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import insert, select

from server.clock import utcnow
from server.database.engine import insert_ignore
from server.extensions import db
from server.models import Membership, SubscriptionQuota, User
from server.models.messaging import Notification, OutboxMessage
from server.services.messaging.messages import shorten, wx_time
from server.services.messaging.outbox import log_queued

# The subscribe template notices go out with (its keys: thing1, thing2, time3).
TEMPLATE = "reminder"


def residents_of(households, *, owners_only: bool = False) -> list[int]:
    """Every active person bound to one of `households` (a subquery of household ids),
    or only those bound as owners (业主); one query."""
    query = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.role == "resident",
            Membership.household_id.in_(households),
            User.is_active.is_(True),
        )
    )
    if owners_only:
        query = query.where(Membership.relation == "owner")
    return list(db.session.scalars(query.distinct().order_by(Membership.user_id)))


def with_quota(user_ids: list[int]) -> set[int]:
    """Those of `user_ids` who hold a subscribe send for the notice template."""
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


def tell(
    people: list[int],
    *,
    compound_id: int,
    key: str,
    kind: str,
    title: str,
    body: str,
    page: str,
    push: bool,
    push_title: str | None = None,
) -> tuple[int, int]:
    """Write an inbox line for each of `people` (once per `key`: a repeat is ignored)
    and, when `push`, queue a subscribe message to each holding quota, in the caller's
    transaction. Returns (inbox lines, pushes queued)."""
    if not people:
        return 0, 0
    now = utcnow()
    inbox = insert_ignore(
        db.session.connection(),
        Notification.__table__,
        [
            {
                "dedupe_key": f"{key}:u{uid}",
                "user_id": uid,
                "compound_id": compound_id,
                "kind": kind,
                "title": title[:60],
                "body": shorten(body, 200),
                "page": page,
                "issue_id": None,
                "created_at": now,
            }
            for uid in people
        ],
    )
    if not push:
        return inbox, 0
    holders = with_quota(people)
    pushed = [uid for uid in people if uid in holders]
    if pushed:
        data = {
            "thing1": shorten(push_title or title),
            "thing2": shorten(body),
            "time3": wx_time(now),
        }
        queued = _queue(
            [
                {
                    "dedupe_key": f"{key}:u{uid}:subscribe",
                    "compound_id": compound_id,
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
            ]
        )
        for message_id in queued:
            log_queued(message_id, TEMPLATE, "subscribe")
    return inbox, len(pushed)


def _queue(rows: list[dict]) -> list[int]:
    """Insert the pushes in one statement; their ids, for the log (RETURNING where the
    database has it for many rows, MariaDB 10.5+ and SQLite 3.35+; else read back by
    their keys)."""
    statement = insert(OutboxMessage)
    if db.session.get_bind().dialect.insert_executemany_returning:
        returned = db.session.execute(statement.returning(OutboxMessage.id), rows)
        return sorted(returned.scalars())
    db.session.execute(statement, rows)
    keys = [row["dedupe_key"] for row in rows]
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.dedupe_key.in_(keys))
            .order_by(OutboxMessage.id)
        )
    )
