"""Linking volunteers' official-account openids to their mini-program accounts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.extensions import db
from server.models import KeyValue, User
from server.wechat import (
    MAX_EVENT_BYTES,
    WeChatUnavailable,
    official_account,
    parse_follow_event,
)

log = logging.getLogger(__name__)


PUSH_MAX_AGE = 300  # seconds either way


def check_push(signature: str, timestamp: str, nonce: str) -> bool:
    """Is this push from WeChat to our official account, and new? False when no account
    is configured. The signature covers only the token, the timestamp and the nonce
    (plaintext mode), so a seen URL could be replayed: refuse old timestamps and
    remember each nonce for as long as its timestamp is good."""
    official = official_account()
    if official is None or not official.verify(signature, timestamp, nonce):
        return False
    if not timestamp.isdigit() or not 0 < len(nonce) <= 64:
        return False
    now = utcnow()
    if abs(now.timestamp() - int(timestamp)) > PUSH_MAX_AGE:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                KeyValue(
                    key=f"oa-nonce:{timestamp}:{nonce}"[:128],
                    value="1",
                    expires_at=now + timedelta(seconds=2 * PUSH_MAX_AGE),
                )
            )
    except IntegrityError:
        return False  # seen before: a replay
    db.session.commit()
    return True


def handle_event(declared_length: int | None, read_body: Callable[[], bytes]) -> str | None:
    """Apply a follow/unfollow push from the official account (its signature checked
    by `check_push`). Returns what happened. A body declared larger than any event
    WeChat sends is not read."""
    if (declared_length or 0) > MAX_EVENT_BYTES:
        return None
    parsed = parse_follow_event(read_body())
    official = official_account()
    if parsed is None or official is None:
        return None
    event, oa_openid = parsed
    if event == "unsubscribe":
        db.session.execute(update(User).where(User.oa_openid == oa_openid).values(oa_openid=None))
        db.session.commit()
        return "unlinked"
    try:
        unionid = official.unionid_of(oa_openid)
    except WeChatUnavailable:
        log.warning("could not look up a new follower's unionid; they can re-follow later")
        return None
    user = (
        db.session.scalars(select(User).where(User.unionid == unionid)).first() if unionid else None
    )
    if user is None:
        return "unknown"
    db.session.execute(
        update(User).where(User.oa_openid == oa_openid, User.id != user.id).values(oa_openid=None)
    )
    user.oa_openid = oa_openid
    db.session.commit()
    return "linked"
