"""Rate limits checked inside a use case (when the key is known only there)."""

from __future__ import annotations

import logging
import time

from flask import current_app
from limits import parse

from server.database.replay import replaying
from server.errors import TooManyRequests
from server.extensions import limiter

log = logging.getLogger(__name__)


def throttle(name: str, rate: str, key: str) -> None:
    """Count one hit of `key` against `rate` ("10/minute"); raise TooManyRequests past it.

    If the counter store (Redis) is unreachable, the request is let through: a
    limit is a guard, not a reason to refuse every sign-in.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True) or replaying():
        return  # a replayed request: its first run counted the hit
    item = parse(rate)
    try:
        allowed = limiter.limiter.hit(item, name, key)
        if allowed:
            return
        reset_at, _remaining = limiter.limiter.get_window_stats(item, name, key)
    except Exception as exc:  # the storage's own connection errors vary by backend
        log.warning("rate-limit storage unavailable (%s); not limiting", type(exc).__name__)
        return
    raise TooManyRequests(headers={"Retry-After": str(max(1, int(reset_at - time.time())))})
