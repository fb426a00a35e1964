"""The outcomes of a dispatch round's sends, written in groups (`outbox` sends).

Every send's outcome was one transaction of its own: a pool checkout (and its ping),
two UPDATEs, a COMMIT and the pool's ROLLBACK on return, ~5 round trips a message
from each of the round's lanes. Here the lanes hand their outcomes to one writer
thread, which writes whatever has arrived since its last commit in one transaction:
the outcomes by status (only rows still ours, "sending"), the subscriptions they
spent or found used up. Under load a group holds many outcomes; idle, one. An outcome
waits for the group being written at most, as long as one transaction, before it is
written (no longer than it waited for its own before), and the round ends only
when every outcome is written. A failed write stops the round's sends.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import case, tuple_, update
from sqlalchemy.exc import OperationalError

from server.clock import utcnow
from server.database.errors import is_busy
from server.extensions import db
from server.logs import request_id_bound
from server.models.messaging import OutboxMessage, SubscriptionQuota
from server.services.messaging.outbox_rows import Claimed, Outcome, log

_DONE = object()


class Recorder:
    """Writes outcomes handed to `add` from any thread, in groups, on its own thread
    (in `app`'s context) until `close`."""

    def __init__(self, app, now: datetime, request_id: str | None, on_error):
        self.app, self.now, self.request_id, self.on_error = app, now, request_id, on_error
        self.queue: queue.Queue = queue.Queue()
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, name="outbox-recorder", daemon=True)
        self.thread.start()

    def add(self, message: Claimed, outcome: Outcome) -> None:
        self.queue.put((message, outcome))

    def close(self) -> None:
        """Wait until every outcome handed in is written; raises what a write raised."""
        self.queue.put(_DONE)
        self.thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        with self.app.app_context(), request_id_bound(self.request_id):
            done = False
            while not done:
                group = [self.queue.get()]
                while True:
                    try:
                        group.append(self.queue.get_nowait())
                    except queue.Empty:
                        break
                done = group[-1] is _DONE or _DONE in group
                group = [item for item in group if item is not _DONE]
                if not group or self.error:
                    continue
                try:
                    write(group, self.now)
                except Exception as exc:  # handed to the round: it stops sending
                    self.error = exc
                    self.on_error(exc)


def write(group: list[tuple[Claimed, Outcome]], now: datetime) -> None:
    """The group's outcomes and subscription changes in one transaction, tried again
    after a deadlock: a send left unrecorded would go out again once its lease ran out."""
    for attempt in range(1, 4):
        try:
            _quotas(group)
            _outcomes(group, now)
            db.session.commit()
            return
        except OperationalError as exc:
            db.session.rollback()
            if attempt == 3 or not is_busy(exc):
                raise


def _outcomes(group: list[tuple[Claimed, Outcome]], now: datetime) -> None:
    by_outcome: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for message, (status, reason, _) in group:
        by_outcome[(status, reason)].append(message.id)
        if status == "failed":
            log.warning("outbox message %s failed for good: %s", message.id, reason)
    for (status, reason), ids in by_outcome.items():
        values = {"status": status, "locked_until": None, "last_error": reason}
        if status == "sent":
            values["sent_at"] = now
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
            .values(**values)
        )


def _quotas(group: list[tuple[Claimed, Outcome]]) -> None:
    """Per subscription, what the group's sends did, in their order: spent n times
    (down to 0 at most, as n single spends would), or found used up (0, and what the
    group spent after that)."""
    spent: Counter = Counter()
    emptied: set[tuple[int, str]] = set()
    for message, (_, _, change) in group:
        if change is None:
            continue
        what, template_id = change
        key = (message.user_id, template_id)
        if what == "spent":
            spent[key] += 1
        else:  # 43101: refused, or none left
            emptied.add(key)
            spent.pop(key, None)
    stamp = utcnow()
    if emptied:
        db.session.execute(
            update(SubscriptionQuota)
            .where(_keys_in(emptied))
            .values(remaining=0, updated_at=stamp)
            .execution_options(synchronize_session=False)
        )
    by_count: dict[int, list] = defaultdict(list)
    for key, count in spent.items():
        by_count[count].append(key)
    remaining = SubscriptionQuota.remaining
    for count, keys in sorted(by_count.items()):
        db.session.execute(
            update(SubscriptionQuota)
            .where(_keys_in(keys), remaining > 0)
            .values(
                remaining=case((remaining > count, remaining - count), else_=0), updated_at=stamp
            )
            .execution_options(synchronize_session=False)
        )


def _keys_in(keys):
    return tuple_(SubscriptionQuota.user_id, SubscriptionQuota.template_id).in_(sorted(keys))
