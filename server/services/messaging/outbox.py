"""The outbox dispatcher: sends queued WeChat pushes, exactly once each, surviving outages.

A batch is claimed with `FOR UPDATE SKIP LOCKED` and marked "sending" in its own
transaction, so two dispatchers never take the same row; once half the claim's
lease has gone, each row's claim is renewed just before it is sent (and skipped if
it is no longer ours), and every outcome is written only if the row is still ours.
A WeChat outage puts the row (and the rest of the batch) back with an exponential
backoff, for as long as a push is worth sending (72 hours: the inbox has it
anyway). A refusal for good marks it failed with the reason, for the committee; a
send WeChat never answered is marked "unknown" and not resent, so that nobody is
ever pushed the same message twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from server.clock import utcnow
from server.database.errors import is_busy
from server.errors import Forbidden
from server.extensions import db
from server.models import User
from server.models.messaging import OutboxMessage, SubscriptionQuota
from server.services.people import compounds
from server.services.people.access import Principal
from server.wechat import (
    WeChatNoQuota,
    WeChatSendRejected,
    WeChatUnavailable,
    WeChatUncertain,
    mini_program,
    official_account,
)

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
GIVE_UP_AFTER = timedelta(hours=72)
SENDING_LEASE = timedelta(minutes=2)
SENDERS = 4  # messages in flight at once (WeChat answers in tens of milliseconds)
# (status, reason, what it did to the user's subscription: ("spent" | "none_left", template))
Outcome = tuple[str, str | None, tuple[str, str] | None]
UNCERTAIN = (
    "sent, but WeChat did not answer in time; not resent lest it arrive twice (the inbox has it)"
)


class SubscribeSender(Protocol):
    def send_subscribe_message(self, openid, template_id, data, page, state) -> None: ...


class TemplateSender(Protocol):
    def send_template_message(self, oa_openid, template_id, data, page) -> None: ...


@dataclass
class DispatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    expired: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def dispatch_due() -> DispatchResult | str:
    """The dispatcher job's round. The access token is fetched before any database work
    begins: while WeChat is away, nothing is claimed and every message stays queued."""
    try:
        mini_program().warm_up()
    except WeChatUnavailable:
        return "WeChat unavailable; messages stay queued"
    return dispatch()


def dispatch(*, batch: int = 200, now: datetime | None = None) -> DispatchResult:
    """Send what is due. Returns the counts; never raises for a WeChat failure.

    The batch's first message goes alone, as a probe: while WeChat is away a round
    costs it one call. After it, up to SENDERS messages are in flight at once, each
    recipient's in order on one thread; the first outage stops them all.
    """
    now = now or utcnow()
    _release_stuck(now)
    claimed = _claim(batch, now)
    run = _Run(mini_program(), official_account(), now)
    if claimed and run.send(claimed[0]):
        app = current_app._get_current_object()
        lanes: list[list] = [[] for _ in range(SENDERS)]
        for item in claimed[1:]:  # one recipient's messages on one lane, in order
            lanes[item[0].user_id % SENDERS].append(item)
        threads = [threading.Thread(target=run.lane, args=(app, lane)) for lane in lanes if lane]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    untaken = [message for message, _, _ in claimed if message.id not in run.taken]
    if untaken:  # WeChat went away: leave them for the next round untouched
        _unclaim(untaken)
        db.session.commit()
        run.result.deferred += len(untaken)
    if run.error:
        raise run.error
    return run.result


class _Run:
    """One dispatch round: what it took, what came of it, whether to stop."""

    def __init__(self, mini: SubscribeSender, official: TemplateSender | None, now: datetime):
        self.mini, self.official, self.now = mini, official, now
        # Until then nobody can have released our rows as stuck: no need to ask.
        self.fresh_until = now + SENDING_LEASE / 2
        self.result = DispatchResult()
        self.taken: set[int] = set()
        self.stopped = False
        self.error: Exception | None = None
        self.lock = threading.Lock()

    def lane(self, app, items) -> None:
        with app.app_context():
            try:
                for item in items:
                    if not self.send(item):
                        return
            except Exception as exc:  # re-raised by dispatch once every lane is done
                with self.lock:
                    self.error, self.stopped = exc, True

    def send(self, item) -> bool:
        """Send one claimed message and record the outcome. False: stop (WeChat away)."""
        message, openid, oa_openid = item
        with self.lock:
            if self.stopped:
                return False
            self.taken.add(message.id)
        if utcnow() >= self.fresh_until and not _renew(message):
            return True  # released as stuck and taken by someone else meanwhile
        if message.created_at < self.now - GIVE_UP_AFTER:
            self._finish(message, ("expired", "not sent within 72 hours", None))
            return True
        try:
            outcome = _send(message, openid, oa_openid, self.mini, self.official)
        except WeChatUnavailable:
            _retry(message, self.now, "WeChat unavailable")
            db.session.commit()
            with self.lock:
                self.stopped = True
                self.result.deferred += 1
            return False
        self._finish(message, outcome)
        return True

    def _finish(self, message: Claimed, outcome: Outcome) -> None:
        _record(message, outcome, self.now)
        status, reason, _ = outcome
        with self.lock:
            setattr(self.result, status, getattr(self.result, status) + 1)
            if status == "failed":
                self.result.errors.append(f"{message.id}: {reason}")


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


def _renew(message: Claimed) -> bool:
    """Extend our claim on a row just before sending it; False if it is no longer ours."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
        .values(locked_until=utcnow() + SENDING_LEASE)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def _release_stuck(now: datetime) -> None:
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


def _claim(batch: int, now: datetime) -> list[tuple[Claimed, str, str | None]]:
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


def _unclaim(messages: list[Claimed]) -> None:
    if messages:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]))
            .values(status="pending", locked_until=None, attempts=OutboxMessage.attempts - 1)
        )


def _send(message, openid, oa_openid, mini, official) -> Outcome:
    """What came of sending: ("sent" | "skipped" | "failed" | "unknown", reason, what
    it did to the user's subscription). Raises WeChatUnavailable to retry."""
    config = current_app.config
    payload = message.payload
    if message.channel == "template":
        template_id = config["WECHAT_OA_TEMPLATES"].get(message.template)
        if official is None or not template_id or not oa_openid:
            return "skipped", "official account not configured or not linked", None
        db.session.commit()  # hold no transaction open across the call to WeChat
        try:
            official.send_template_message(oa_openid, template_id, payload["data"], payload["page"])
        except WeChatSendRejected as exc:
            return "failed", str(exc), None
        except WeChatUncertain:
            return "unknown", UNCERTAIN, None
        return "sent", None, None
    template_id = config["WECHAT_SUBSCRIBE_TEMPLATES"].get(message.template)
    if not template_id:
        return "skipped", f"no subscribe template configured for {message.template}", None
    if not _has_quota(message.user_id, template_id):
        return "skipped", "no subscription quota (the inbox has it)", None
    db.session.commit()  # hold no transaction open across the call to WeChat
    try:
        mini.send_subscribe_message(
            openid,
            template_id,
            payload["data"],
            payload["page"],
            config["WECHAT_MINIPROGRAM_STATE"],
        )
    except WeChatNoQuota:
        return "skipped", "43101: user has no subscription left", ("none_left", template_id)
    except WeChatSendRejected as exc:
        return "failed", str(exc), None
    except WeChatUncertain:  # it may well have been used
        return "unknown", UNCERTAIN, ("spent", template_id)
    return "sent", None, ("spent", template_id)


def _record(message: Claimed, outcome: Outcome, now: datetime) -> None:
    """Write the outcome and its subscription change in one transaction, tried again
    after a deadlock: a send left unrecorded would go out again once its lease ran out."""
    for attempt in range(1, 4):
        try:
            _apply_quota(message.user_id, outcome[2])
            _finish(message, outcome, now)
            db.session.commit()
            return
        except OperationalError as exc:
            db.session.rollback()
            if attempt == 3 or not is_busy(exc):
                raise


def _finish(message: Claimed, outcome: Outcome, now) -> None:
    status, reason, _ = outcome
    values = {"status": status, "locked_until": None, "last_error": reason}
    if status == "sent":
        values["sent_at"] = now
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
        .values(**values)
    )
    if status == "failed":
        log.warning("outbox message %s failed for good: %s", message.id, reason)


def _retry(message: Claimed, now: datetime, reason: str) -> None:
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


def _has_quota(user_id: int, template_id: str) -> bool:
    remaining = db.session.scalar(
        select(SubscriptionQuota.remaining).where(
            SubscriptionQuota.user_id == user_id, SubscriptionQuota.template_id == template_id
        )
    )
    return bool(remaining and remaining > 0)


def _apply_quota(user_id: int, change: tuple[str, str] | None) -> None:
    if change is None:
        return
    what, template_id = change
    if what == "spent":
        _spend_quota(user_id, template_id)
    else:  # 43101: refused, or none left
        _set_quota(user_id, template_id, 0)


def _spend_quota(user_id: int, template_id: str) -> None:
    db.session.execute(
        update(SubscriptionQuota)
        .where(
            SubscriptionQuota.user_id == user_id,
            SubscriptionQuota.template_id == template_id,
            SubscriptionQuota.remaining > 0,
        )
        .values(remaining=SubscriptionQuota.remaining - 1, updated_at=utcnow())
    )


def _set_quota(user_id: int, template_id: str, remaining: int) -> None:
    db.session.execute(
        update(SubscriptionQuota)
        .where(SubscriptionQuota.user_id == user_id, SubscriptionQuota.template_id == template_id)
        .values(remaining=remaining, updated_at=utcnow())
    )


@dataclass(frozen=True)
class FailedMessage:
    message: OutboxMessage
    recipient: str | None


def failed_for(principal: Principal, code: str, limit: int = 100) -> list[FailedMessage]:
    """Messages that could not be delivered for good, with whom they were for, for the
    compound's committee."""
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以查看发送失败的消息", code="committee_only")
    rows = db.session.execute(
        select(OutboxMessage, User.nickname)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.compound_id == compound.id, OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [FailedMessage(message, nickname) for message, nickname in rows]
