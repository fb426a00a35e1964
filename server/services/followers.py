"""Linking volunteers' official-account openids to their mini-program accounts."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from server.extensions import db
from server.models import User
from server.wechat import OfficialAccount
from server.wechat.errors import WeChatUnavailable
from server.wechat.official_account import parse_follow_event

log = logging.getLogger(__name__)


def handle_event(official: OfficialAccount, body: bytes) -> str | None:
    """Apply a follow/unfollow push from the official account. Returns what happened."""
    parsed = parse_follow_event(body)
    if parsed is None:
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
