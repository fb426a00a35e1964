"""The outbox dispatcher: sends queued WeChat pushes, exactly once each, surviving outages.

A batch is claimed with `FOR UPDATE SKIP LOCKED` and marked "sending" in its own
transaction, so two dispatchers never take the same row; once half the claim's
lease has gone, each row's claim is renewed just before it is sent (and skipped if
it is no longer ours), and every outcome is written only if the row is still ours
(`outbox_rows`), by one writer thread a round in groups (`outbox_records`). A round
reads its access token once and its recipients' subscriptions in one statement.
A WeChat outage puts the row (and the rest of the batch) back with an exponential
backoff, for as long as a push is worth sending (72 hours: the inbox has it
anyway). A refusal for good marks it failed with the reason, for the committee; a
send WeChat never answered is marked "unknown" and not resent, so that nobody is
ever pushed the same message twice.

Each message's way is in the logs: queued with the id of the request that queued it,
then sent (or not) under the id of the dispatch round, which the WeChat calls' lines
carry too (outbox rows have no column for a request id: the message id links them).
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import event

from server.clock import utcnow
from server.extensions import db
from server.logs import current_request_id, request_id_bound
from server.models.messaging import OutboxMessage
from server.services.messaging.outbox_records import Recorder
from server.services.messaging.outbox_rows import (
    SENDING_LEASE,
    Claimed,
    Outcome,
    Quotas,
    claim,
    release_stuck,
    renew,
    retry,
    unclaim,
)
from server.wechat import (
    WeChatNoQuota,
    WeChatSendRejected,
    WeChatUnavailable,
    WeChatUncertain,
    mini_program,
    official_account,
)

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=72)
SENDERS = 8  # messages in flight at once (WeChat answers in tens of milliseconds)
BATCH = 200  # messages a round claims
# A job run keeps sending full rounds this long: the job runs every 5 s, and one round
# a run would cap the outbox at 40 messages a second whatever WeChat takes.
RUN_SECONDS = 4.0
UNCERTAIN = (
    "sent, but WeChat did not answer in time; not resent lest it arrive twice (the inbox has it)"
)


class SubscribeSender(Protocol):
    def send_subscribe_message(self, openid, template_id, data, page, state) -> None: ...


class TemplateSender(Protocol):
    def send_template_message(self, oa_openid, template_id, data, page) -> None: ...


def log_queued(message_id: int, template: str, channel: str) -> None:
    """One INFO line for a message queued: its id, its kind (template and channel), and
    (by the log filter) the queuing request's id. Never its recipient's openid nor its
    content: the row has them, the id finds the row."""
    log.info(
        "outbox message %s queued (%s, %s)",
        message_id,
        template,
        channel,
        extra={"message_id": message_id, "template": template, "channel": channel},
    )


def _log_queued(_mapper, _connection, message: OutboxMessage) -> None:
    log_queued(message.id, message.template, message.channel)


def log_queued_messages() -> None:
    """Log each message as it is queued, under the queuing request's id (at start-up);
    messages queued many at once by one statement log themselves (`fanout.tell`)."""
    if not event.contains(OutboxMessage, "after_insert", _log_queued):
        event.listen(OutboxMessage, "after_insert", _log_queued)


@dataclass
class DispatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    expired: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)
    taken_last: int = 0  # messages the (last) round claimed

    def add(self, other: DispatchResult) -> None:
        """Count another round's outcomes in."""
        for name in ("sent", "skipped", "failed", "unknown", "expired", "deferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.taken_last = other.taken_last


def dispatch_due(batch: int = BATCH) -> DispatchResult | str:
    """The dispatcher job's run: rounds of `batch` messages back to back while they come
    full, for up to RUN_SECONDS (a notice to a whole district goes out at the senders'
    pace, not a round every 5 s). The access token is fetched before any database work
    begins: while WeChat is away, nothing is claimed and every message stays queued; a
    round that finds it away ends the run."""
    with request_id_bound(current_request_id()):  # the token's fetch is the run's too
        try:
            mini_program().warm_up()
        except WeChatUnavailable:
            return "WeChat unavailable; messages stay queued"
        until = time.monotonic() + RUN_SECONDS
        total = dispatch(batch=batch)
        while total.taken_last == batch and not total.deferred and time.monotonic() < until:
            total.add(dispatch(batch=batch))
        return total


def dispatch(*, batch: int = BATCH, now: datetime | None = None) -> DispatchResult:
    """Send what is due. Returns the counts; never raises for a WeChat failure.

    The batch's first message goes alone, as a probe: while WeChat is away a round
    costs it one call. After it, up to SENDERS messages are in flight at once, each
    recipient's in order on one thread; the first outage stops them all.
    """
    with request_id_bound(current_request_id()):  # the round's id, for every line
        return _dispatch(batch, now or utcnow())


def _dispatch(batch: int, now: datetime) -> DispatchResult:
    release_stuck(now)
    claimed = claim(batch, now)
    mini, official = mini_program(), official_account()
    with ExitStack() as round_:
        for sender in (mini, official):  # one token read a round, not one a message
            if sender is not None:
                round_.enter_context(sender.client.holding_token())
        result = _send_claimed(claimed, _Run(mini, official, now, claimed))
    result.taken_last = len(claimed)
    return result


def _send_claimed(claimed: list, run: _Run) -> DispatchResult:
    app = current_app._get_current_object()
    run.recorder = Recorder(app, run.now, run.request_id, run.stop)
    if claimed and run.send(claimed[0]):
        lanes: list[list] = [[] for _ in range(SENDERS)]
        for item in claimed[1:]:  # one recipient's messages on one lane, in order
            lanes[item[0].user_id % SENDERS].append(item)
        threads = [threading.Thread(target=run.lane, args=(app, lane)) for lane in lanes if lane]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    try:
        run.recorder.close()  # every outcome written before anything else
    except Exception as exc:
        run.stop(exc)
    untaken = [message for message, _, _ in claimed if message.id not in run.taken]
    if untaken:  # WeChat went away: leave them for the next round untouched
        unclaim(untaken)
        db.session.commit()
        run.result.deferred += len(untaken)
    if run.error:
        raise run.error
    return run.result


class _Run:
    """One dispatch round: what it took, what came of it, whether to stop."""

    def __init__(
        self, mini: SubscribeSender, official: TemplateSender | None, now: datetime, claimed
    ):
        self.mini, self.official, self.now = mini, official, now
        self.quotas = Quotas([message.user_id for message, _, _ in claimed])
        # Until then nobody can have released our rows as stuck: no need to ask.
        self.fresh_until = now + SENDING_LEASE / 2
        self.result = DispatchResult()
        self.taken: set[int] = set()
        self.stopped = False
        self.error: Exception | None = None
        self.lock = threading.Lock()
        self.request_id = current_request_id()
        self.recorder: Recorder | None = None

    def stop(self, error: Exception) -> None:
        """Stop the round's sends; `error` is raised once every lane is done."""
        with self.lock:
            self.error = self.error or error
            self.stopped = True

    def lane(self, app, items) -> None:
        with app.app_context(), request_id_bound(self.request_id):
            try:
                for item in items:
                    if not self.send(item):
                        return
            except Exception as exc:  # re-raised by dispatch once every lane is done
                self.stop(exc)

    def send(self, item) -> bool:
        """Send one claimed message and record the outcome. False: stop (WeChat away)."""
        message, openid, oa_openid = item
        with self.lock:
            if self.stopped:
                return False
            self.taken.add(message.id)
        if utcnow() >= self.fresh_until and not renew(message):
            return True  # released as stuck and taken by someone else meanwhile
        if message.created_at < self.now - GIVE_UP_AFTER:
            self._finish(message, ("expired", "not sent within 72 hours", None))
            return True
        try:
            outcome = _send(message, openid, oa_openid, self.mini, self.official, self.quotas)
        except WeChatUnavailable:
            log.info(
                "outbox message %s deferred: WeChat unavailable",
                message.id,
                extra={"message_id": message.id},
            )
            retry(message, self.now, "WeChat unavailable")
            db.session.commit()
            with self.lock:
                self.stopped = True
                self.result.deferred += 1
            return False
        self._finish(message, outcome)
        return True

    def _finish(self, message: Claimed, outcome: Outcome) -> None:
        self.recorder.add(message, outcome)  # written with others (outbox_records)
        status, reason, change = outcome
        self.quotas.changed(message.user_id, change)
        log.info(
            "outbox message %s %s%s",
            message.id,
            status,
            f": {reason}" if reason else "",
            extra={"message_id": message.id, "outcome": status},
        )
        with self.lock:
            setattr(self.result, status, getattr(self.result, status) + 1)
            if status == "failed":
                self.result.errors.append(f"{message.id}: {reason}")


def _send(message, openid, oa_openid, mini, official, quotas: Quotas) -> Outcome:
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
    if not quotas.left(message.user_id, template_id):
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
